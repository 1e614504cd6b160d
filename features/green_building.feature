@theme:green_building @version:1
Feature: 绿色建筑 / Green building — GB-1, GB-2, GB-3, GM-1
  杨府发〔2022〕13号 三(三)2、三(八)2、三(八)3：
  "新建民用建筑绿色建筑达标率达到100%……滨江南段、新江湾区域新建大型公共建筑全部满足绿色建筑三星标准要求。"
  "新建公共机构办公建筑应达到绿色建筑二星级及以上标准。"
  "推动五角场综合商业体开展绿色商场、创智天地开展绿色园区等创建工作。"

  GB-1 (mandatory): new civil buildings reach at least the basic level of GB/T 50378-2019.
  GB-2 (mandatory): new public buildings of 20,000 m² or more in Binjiang South and Xinjiangwan
  reach 3-star. GB-3 (mandatory): new public-institution office buildings reach 2-star or better.
  GM-1 (encouraged): Wujiaochang's commercial complexes take part in green-mall creation (三(八)3);
  no building is asked for 3-star on account of the eco-district or green-park creations.
  Where self-assessment scores are given, the grade is computed from them
  (Q = (400 + Q1…Q5 + QA) / 10; 1/2/3-star at 60/70/85, every category at least 30 % of its
  maximum, full fit-out and Table 3.2.8 met) and a claimed label above it does not count: the
  computed grade decides. A label claimed with neither scores nor a certificate goes to a reviewer.
  GB-2's size is the filed gross floor area weighed against the models': where they are more
  than 5 % apart, or the models give only a sum of spaces (a lower bound: spaces exclude walls),
  the floor area is uncertain within a plausible range, and a range that straddles 20,000 m²
  leaves whether GB-2 applies to a reviewer (never "not applicable").
  有自评分时按分数计算星级，申报星级高于计算星级的不予认可；既无自评分又无证书的申报星级由审核人复核。
  申报面积与模型相差超过 5%，或模型仅有空间面积之和（下限）时，总建筑面积存疑；其合理范围跨越 20,000 m² 时，
  是否适用 GB-2 由审核人判断（不判为不适用）。

  Score sets used below (safety, health, convenience, resources, environment):
    3-star, total exactly 85.0: 90, 90, 60, 130, 80      just below 3-star, 84.9: 90, 90, 60, 129, 80
    2-star, total exactly 70.0: 60, 60, 40, 80, 60       just below 2-star, 69.9: 60, 60, 40, 79, 60
    basic, total 59.9:          40, 40, 25, 60, 34

  Background:
    Given the rule set in "rules"

  # ---------------------------------------------------------------- GB-1 (mandatory)

  @rule:GB-1 @severity:mandatory
  Scenario Outline: GB-1 新建民用建筑绿色建筑达标 / new civil buildings meet the standard — <case>
    Given a new residential submission filed on 2024-03-01
    And the submission states:
      | field                                        | value           |
      | green_building.claimed                       | <claimed>       |
      | green_building.certificate                   | <certificate>   |
      | green_building.prerequisites_met             | <prerequisites> |
      | green_building.full_fit_out                  | <fitout>        |
      | green_building.technical_requirements_met    | <fitout>        |
      | green_building.scores.safety_durability      | <s1>            |
      | green_building.scores.health_comfort         | <s2>            |
      | green_building.scores.occupant_convenience   | <s3>            |
      | green_building.scores.resource_saving        | <s4>            |
      | green_building.scores.environment_livability | <s5>            |
    When the rules are evaluated
    Then rule GB-1 is <status>
    And rule GB-1 measured <grade>

    Examples:
      | case                                                           | claimed | certificate | prerequisites | fitout | s1 | s2 | s3 | s4  | s5 | status        | grade       |
      | claimed 2-star supported by the scores passes                  | 2-star  | —           | true          | true   | 60 | 60 | 40 | 80  | 60 | pass          | 2-star      |
      | boundary: scores at the basic level pass                       | basic   | —           | true          | true   | 40 | 40 | 25 | 60  | 34 | pass          | basic       |
      | boundary: a prerequisite not met (below basic) fails           | basic   | —           | false         | true   | 40 | 40 | 25 | 60  | 34 | fail          | below basic |
      | claimed 1-star NOT supported by the scores: below basic fails  | 1-star  | —           | false         | true   | 60 | 60 | 40 | 80  | 60 | fail          | below basic |
      | claimed 3-star NOT supported: the computed 2-star still passes | 3-star  | —           | true          | true   | 90 | 90 | 60 | 129 | 80 | pass          | 2-star      |
      | scores without a claim are graded                              | —       | —           | true          | true   | 90 | 90 | 60 | 130 | 80 | pass          | 3-star      |
      | a certified label without scores passes                        | 2-star  | GB-2023-001 | —             | —      | —  | —  | —  | —   | —  | pass          | 2-star      |
      | label claimed without scores or certificate goes to review     | 2-star  | —           | —             | —      | —  | —  | —  | —   | —  | manual_review | 2-star      |
      | scores without the prerequisites statement go to review        | 2-star  | —           | —             | true   | 60 | 60 | 40 | 80  | 60 | manual_review | 2-star      |
      | nothing stated about green building                            | —       | —           | —             | —      | —  | —  | —  | —   | —  | missing_data  | —           |

  @rule:GB-1 @severity:mandatory
  Scenario Outline: GB-1 适用范围与施行日期 / who and when — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states green_building.claimed = <claimed>
    And the submission states green_building.certificate = GB-2023-001
    When the rules are evaluated
    Then rule GB-1 is <status>

    Examples:
      | case                                         | kind     | use              | filed_on   | claimed | status         |
      | a certified basic-level school passes        | new      | school           | 2024-03-01 | basic   | pass           |
      | a certified "none" label fails               | new      | school           | 2024-03-01 | none    | fail           |
      | an industrial plant is not a civil building  | new      | industrial_plant | 2024-03-01 | none    | not_applicable |
      | a retrofit is not covered                    | retrofit | residential      | 2024-03-01 | none    | not_applicable |
      | date: the day before it applies (2022-12-30) | new      | residential      | 2022-12-30 | none    | not_applicable |
      | date: in force from 2022-12-31               | new      | residential      | 2022-12-31 | none    | fail           |

  # ---------------------------------------------------------------- GB-2 (mandatory)

  @rule:GB-2 @severity:mandatory
  Scenario Outline: GB-2 滨江南段、新江湾大型公共建筑绿色三星 / large public buildings in Binjiang South and Xinjiangwan — <case>
    Given a new public_office submission filed on 2024-03-01
    And the project is in zone binjiang_south
    And the gross floor area is 25000 m²
    And the submission states:
      | field                                        | value         |
      | green_building.claimed                       | <claimed>     |
      | green_building.certificate                   | <certificate> |
      | green_building.prerequisites_met             | <scored>      |
      | green_building.full_fit_out                  | <scored>      |
      | green_building.technical_requirements_met    | <scored>      |
      | green_building.scores.safety_durability      | <s1>          |
      | green_building.scores.health_comfort         | <s2>          |
      | green_building.scores.occupant_convenience   | <s3>          |
      | green_building.scores.resource_saving        | <s4>          |
      | green_building.scores.environment_livability | <s5>          |
    When the rules are evaluated
    Then rule GB-2 is <status>
    And rule GB-2 measured <grade>

    Examples:
      | case                                                                | claimed | certificate | scored | s1 | s2 | s3 | s4  | s5 | status        | grade  |
      | boundary: claimed 3-star supported by a total of exactly 85 passes  | 3-star  | —           | true   | 90 | 90 | 60 | 130 | 80 | pass          | 3-star |
      | boundary: claimed 3-star NOT supported (total 84.9 is 2-star) fails | 3-star  | —           | true   | 90 | 90 | 60 | 129 | 80 | fail          | 2-star |
      | a claimed 2-star supported by its scores fails                      | 2-star  | —           | true   | 60 | 60 | 40 | 80  | 60 | fail          | 2-star |
      | a certified 3-star label passes                                     | 3-star  | GB-2024-007 | —      | —  | —  | —  | —   | —  | pass          | 3-star |
      | 3-star claimed without scores or certificate goes to review         | 3-star  | —           | —      | —  | —  | —  | —   | —  | manual_review | 3-star |
      | nothing stated about green building                                 | —       | —           | —      | —  | —  | —  | —   | —  | missing_data  | —      |

  @rule:GB-2 @severity:mandatory
  Scenario: GB-2 申报星级高于计算星级 / the unsupported claim is explained
    Given a new public_office submission filed on 2024-03-01
    And the project is in zone xinjiangwan
    And the gross floor area is 30000 m²
    And the submission states:
      | field                                        | value  |
      | green_building.claimed                       | 3-star |
      | green_building.prerequisites_met             | true   |
      | green_building.full_fit_out                  | true   |
      | green_building.technical_requirements_met    | true   |
      | green_building.scores.safety_durability      | 60     |
      | green_building.scores.health_comfort         | 60     |
      | green_building.scores.occupant_convenience   | 40     |
      | green_building.scores.resource_saving        | 80     |
      | green_building.scores.environment_livability | 60     |
    When the rules are evaluated
    Then rule GB-2 is fail
    And rule GB-2 explains "not supported by the scores"
    And rule GB-2 blocks approval

  @rule:GB-2 @severity:mandatory
  Scenario Outline: GB-2 适用范围（区域、面积）与施行日期 / where, how large, when — <case>
    Given a new <use> submission filed on <filed_on>
    And the project is in zone <zone>
    And the gross floor area is <gfa>
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = GB-2023-002
    When the rules are evaluated
    Then rule GB-2 is <status>

    Examples:
      | case                                                 | use           | zone           | gfa        | filed_on   | status         |
      | a large 2-star office in Binjiang South fails        | public_office | binjiang_south | 25000 m²   | 2024-03-01 | fail           |
      | boundary: exactly 20000 m² is large                  | public_hotel  | xinjiangwan    | 20000 m²   | 2024-03-01 | fail           |
      | below the size threshold (19999.9 m²) does not apply | public_hotel  | xinjiangwan    | 19999.9 m² | 2024-03-01 | not_applicable |
      | size unknown: whether it applies cannot be told      | public_office | binjiang_south | not stated | 2024-03-01 | missing_data   |
      | outside the two zones                                | public_office | wujiaochang    | 25000 m²   | 2024-03-01 | not_applicable |
      | a residential building is not public                 | residential   | binjiang_south | 25000 m²   | 2024-03-01 | not_applicable |
      | date: the day before it applies (2022-12-30)         | public_office | binjiang_south | 25000 m²   | 2022-12-30 | not_applicable |
      | date: in force from 2022-12-31                       | public_office | binjiang_south | 25000 m²   | 2022-12-31 | fail           |

  @rule:GB-2 @severity:mandatory
  Scenario: GB-2 申报未填面积时采用模型中的总建筑面积 / the models' gross floor area decides when none is stated
    Given a new public_office submission filed on 2024-03-01
    And the project is in zone binjiang_south
    And the models show a building of 18000 m² gross floor area
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = GB-2023-002
    When the rules are evaluated
    Then rule GB-2 is not_applicable

  @rule:GB-2 @severity:mandatory
  Scenario Outline: GB-2 面积存疑时由合理取值范围决定是否适用 / a doubtful floor area: its plausible range decides whether the rule applies — <case>
    Given a new public_office submission filed on 2024-03-01
    And the project is in zone binjiang_south
    And the gross floor area is <gfa> m²
    And the gross_floor_area is uncertain between <low> and <high>
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = GB-2023-002
    When the rules are evaluated
    Then rule GB-2 is <status>
    And rule GB-2 explains "<says>"

    Examples:
      | case                                                    | gfa   | low   | high  | status         | says                               |
      | the whole range 21000–25000 m² is large: applies, fails | 25000 | 21000 | 25000 | fail           | does not change whether it applies |
      | the whole range 15000–19000 m² is below: does not apply | 18000 | 15000 | 19000 | not_applicable | does not change the outcome        |
      | the range straddles 20000 m²: a reviewer decides        | 25000 | 19000 | 25000 | manual_review  | straddles the threshold            |

  @rule:GB-2 @severity:mandatory
  Scenario: GB-2 空间面积之和只是下限：是否适用须复核 / a sum of spaces is only a lower bound: a reviewer decides whether the rule applies
    Given a new public_office submission filed on 2024-03-01
    And the project is in zone binjiang_south
    And the models show a building of 397.5 m² gross floor area summed from 30 spaces
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = GB-2023-002
    When the rules are evaluated
    Then rule GB-2 is manual_review
    And rule GB-2 explains "397.5 m² or more"
    And rule GB-2 explains "spaces exclude walls"

  @rule:GB-2 @severity:mandatory
  Scenario Outline: GB-2 申报面积与模型不符时，两者之间的范围决定是否适用 / filed and modelled floor areas apart: the range between them decides — <case>
    Given a new public_office submission filed on 2024-03-01
    And the project is in zone binjiang_south
    And the gross floor area is <filed> m²
    And the models show a building of <model> m² gross floor area
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = GB-2023-002
    When the rules are evaluated
    Then rule GB-2 is <status>

    Examples:
      | case                                                                | filed | model | status        |
      | 19000 filed, 21000 modelled: straddles 20000 m², a reviewer decides | 19000 | 21000 | manual_review |
      | 30000 filed, 31000 modelled (within 5 %): applies, fails at 2-star  | 30000 | 31000 | fail          |
      | 21000 filed, 25000 modelled: large either way, fails at 2-star      | 21000 | 25000 | fail          |

  # ---------------------------------------------------------------- GB-3 (mandatory)

  @rule:GB-3 @severity:mandatory
  Scenario Outline: GB-3 新建公共机构办公建筑绿色二星及以上 / public-institution offices 2-star or better — <case>
    Given a new government_office submission filed on 2024-03-01
    And the project is a public institution
    And the submission states:
      | field                                        | value         |
      | green_building.claimed                       | <claimed>     |
      | green_building.certificate                   | <certificate> |
      | green_building.prerequisites_met             | <scored>      |
      | green_building.full_fit_out                  | <scored>      |
      | green_building.technical_requirements_met    | <scored>      |
      | green_building.scores.safety_durability      | <s1>          |
      | green_building.scores.health_comfort         | <s2>          |
      | green_building.scores.occupant_convenience   | <s3>          |
      | green_building.scores.resource_saving        | <s4>          |
      | green_building.scores.environment_livability | <s5>          |
    When the rules are evaluated
    Then rule GB-3 is <status>
    And rule GB-3 measured <grade>

    Examples:
      | case                                                                | claimed | certificate | scored | s1 | s2 | s3 | s4  | s5 | status        | grade  |
      | boundary: claimed 2-star supported by a total of exactly 70 passes  | 2-star  | —           | true   | 60 | 60 | 40 | 80  | 60 | pass          | 2-star |
      | boundary: claimed 2-star NOT supported (total 69.9 is 1-star) fails | 2-star  | —           | true   | 60 | 60 | 40 | 79  | 60 | fail          | 1-star |
      | claimed 3-star supported by the scores passes                       | 3-star  | —           | true   | 90 | 90 | 60 | 130 | 80 | pass          | 3-star |
      | a certified 2-star label passes                                     | 2-star  | GB-2023-003 | —      | —  | —  | —  | —   | —  | pass          | 2-star |
      | 2-star claimed without scores or certificate goes to review         | 2-star  | —           | —      | —  | —  | —  | —   | —  | manual_review | 2-star |
      | nothing stated about green building                                 | —       | —           | —      | —  | —  | —  | —   | —  | missing_data  | —      |

  @rule:GB-3 @severity:mandatory
  Scenario Outline: GB-3 适用范围与施行日期 / who and when — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the project is <pi>
    And the submission states green_building.claimed = 1-star
    And the submission states green_building.certificate = GB-2023-004
    When the rules are evaluated
    Then rule GB-3 is <status>

    Examples:
      | case                                         | kind     | use               | pi                       | filed_on   | status         |
      | a certified 1-star institution office fails  | new      | public_office     | a public institution     | 2024-03-01 | fail           |
      | a private office is not covered              | new      | public_office     | not a public institution | 2024-03-01 | not_applicable |
      | an institution's school is not an office     | new      | school            | a public institution     | 2024-03-01 | not_applicable |
      | a retrofit is not covered                    | retrofit | government_office | a public institution     | 2024-03-01 | not_applicable |
      | date: the day before it applies (2022-12-30) | new      | government_office | a public institution     | 2022-12-30 | not_applicable |
      | date: in force from 2022-12-31               | new      | government_office | a public institution     | 2022-12-31 | fail           |

  # ---------------------------------------------------------------- GM-1 (encouraged)
  # 三(八)3 asks 五角场's commercial complexes to take part in green-mall creation (绿色商场) and
  # 创智天地 to create a green park (绿色园区, the park as a whole); 三(八)1's 三星级绿色生态示范城区 is a
  # rating of the Binjiang South district. Only the first concerns a single project: no building is
  # asked for 3-star on their account.

  @rule:GM-1 @severity:encouraged
  Scenario Outline: GM-1 五角场综合商业体开展绿色商场创建 / Wujiaochang commercial complexes take part in green-mall creation — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the project is in zone <zone>
    And the submission states measures = <measures>
    When the rules are evaluated
    Then rule GM-1 is <status>
    And rule GM-1 does not block approval

    Examples:
      | case                                                              | kind     | use                | zone           | filed_on   | measures             | status         |
      | boundary: a Wujiaochang complex with exactly green_mall passes    | new      | commercial_complex | wujiaochang    | 2024-03-01 | [green_mall]         | pass           |
      | a retrofit of a Wujiaochang mall is covered too                   | retrofit | public_commercial  | wujiaochang    | 2024-03-01 | [green_mall, bim]    | pass           |
      | boundary: green_mall not listed fails (encouraged: never blocks)  | new      | commercial_complex | wujiaochang    | 2024-03-01 | [green_construction] | fail           |
      | measures not stated                                               | new      | commercial_complex | wujiaochang    | 2024-03-01 | not stated           | missing_data   |
      | an office in Wujiaochang is not a commercial complex              | new      | public_office      | wujiaochang    | 2024-03-01 | []                   | not_applicable |
      | KIC's green park is a park-level creation: nothing per building   | new      | public_office      | kic            | 2024-03-01 | []                   | not_applicable |
      | KIC: a mall there is not asked for a green mall either            | new      | commercial_complex | kic            | 2024-03-01 | []                   | not_applicable |
      | Binjiang South's eco-district is a district rating: no 3-star ask | new      | residential        | binjiang_south | 2024-03-01 | []                   | not_applicable |
      | a complex in Binjiang South is not in Wujiaochang                 | new      | commercial_complex | binjiang_south | 2024-03-01 | []                   | not_applicable |
      | date: the day before the plan (2022-12-30)                        | new      | commercial_complex | wujiaochang    | 2022-12-30 | []                   | not_applicable |
      | date: in force from the plan's date (2022-12-31)                  | new      | commercial_complex | wujiaochang    | 2022-12-31 | []                   | fail           |

  @rule:GM-1 @severity:encouraged
  Scenario: GM-1 不因示范区域要求单体建筑达到三星 / no 3-star is asked of a building in the demonstration zones
    Given a new residential submission filed on 2024-03-01
    And the project is in zone kic
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = GB-2024-009
    When the rules are evaluated
    Then rule GM-1 is not_applicable

  @rule:GM-1 @severity:encouraged
  Scenario: GM-1 未位于任何区域 / a project in no zone
    Given a new commercial_complex submission filed on 2024-03-01
    And the project is in no zone
    And the submission states measures = []
    When the rules are evaluated
    Then rule GM-1 is not_applicable
