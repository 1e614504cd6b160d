@theme:pv @version:1
Feature: 屋顶光伏 / Rooftop photovoltaics — PV-1 … PV-5
  杨府发〔2022〕13号 三(一)1：
  "2022年起新建政府机关、学校、工业厂房等建筑屋顶安装光伏的面积比例不低于50%；其他类型公共建筑
   屋顶安装光伏的面积比例不低于30%。到2025年，公共机构、工业厂房建筑屋顶光伏覆盖率达到50%以上；
   到2030年，实现应装尽装。鼓励推广光伏建筑一体化（BIPV）……‘光储直柔’建筑示范。"

  PV-1: new government offices, schools and industrial plants need PV on at least 50 % of the
  roof; PV-2: other new public buildings at least 30 % (both mandatory). PV-3 (target): retrofits
  of public-institution buildings and industrial plants, coverage of at least 50 %. PV-4 (target,
  from 2026): PV on all the roof area declared suitable. PV-5 (encouraged): BIPV or "光储直柔".
  Ratios compare the panels' horizontal projected area with the roof's horizontal projected area.
  屋顶光伏比例均按光伏组件与屋顶的水平投影面积计算。

  Background:
    Given the rule set in "rules"

  # ---------------------------------------------------------------- PV-1 (mandatory)

  @rule:PV-1 @severity:mandatory
  Scenario Outline: PV-1 新建政府机关、学校、工业厂房光伏≥50% / new offices, schools, plants — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the models show a roof of <roof> m² and PV panels of <pv> m²
    When the rules are evaluated
    Then rule PV-1 is <status>
    And rule PV-1 measured <ratio>

    Examples:
      | case                                           | kind     | use               | filed_on   | roof | pv    | status         | ratio |
      | school above 50% passes                        | new      | school            | 2024-03-01 | 1000 | 600   | pass           | 60    |
      | boundary: exactly 50% passes                   | new      | school            | 2024-03-01 | 1000 | 500   | pass           | 50    |
      | boundary: just below 50% (49.99%) fails        | new      | government_office | 2024-03-01 | 1000 | 499.9 | fail           | 49.99 |
      | factory with no PV at all fails                | new      | industrial_plant  | 2024-03-01 | 800  | 0     | fail           | 0     |
      | a new data centre is an industrial plant (50%) | new      | data_centre       | 2024-03-01 | 1000 | 400   | fail           | 40    |
      | no roof in the model                           | new      | school            | 2024-03-01 | none | 500   | missing_data   | —     |
      | roof without an area quantity                  | new      | school            | 2024-03-01 | ?    | 500   | missing_data   | —     |
      | an office building is PV-2's, not PV-1's       | new      | public_office     | 2024-03-01 | 1000 | 0     | not_applicable | —     |
      | a retrofit is not a new building               | retrofit | school            | 2024-03-01 | 1000 | 0     | not_applicable | —     |
      | date: filed the day before the plan applies    | new      | school            | 2021-12-31 | 1000 | 0     | not_applicable | —     |
      | date: in force from its first day (2022-01-01) | new      | school            | 2022-01-01 | 1000 | 0     | fail           | 0     |

  @rule:PV-1 @severity:mandatory
  Scenario Outline: PV-1 强制性条款决定审批 / a mandatory rule decides approval — <case>
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of <pv> m²
    When the rules are evaluated
    Then rule PV-1 is <status>
    And rule PV-1 <blocks> approval

    Examples:
      | case                     | pv  | status | blocks         |
      | a failing ratio blocks   | 100 | fail   | blocks         |
      | a passing ratio does not | 600 | pass   | does not block |

  @rule:PV-1 @severity:mandatory
  Scenario: PV-1 申报豁免须人工复核 / a claimed exemption is never a silent pass
    Given a new school submission filed on 2024-03-01
    And the designer claims an exemption from PV-1: "roof reserved for a sports field"
    And the models show a roof of 1000 m² and PV panels of 100 m²
    When the rules are evaluated
    Then rule PV-1 is manual_review
    And rule PV-1 blocks approval
    And rule PV-1 explains "roof reserved for a sports field"

  @rule:PV-1 @severity:mandatory
  Scenario: PV-1 读取存疑的面积须复核 / figures a reviewer must confirm go to manual review
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 600 m²
    And the reader flagged the roof's area as uncertain: "area unit not declared"
    When the rules are evaluated
    Then rule PV-1 is manual_review
    And rule PV-1 explains "area unit not declared"

  @rule:PV-1 @severity:mandatory
  Scenario: PV-1 存疑比例至多 40%：无论取值如何均不达标 / a doubtful ratio of at most 40 % fails whatever it is
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 300 m²
    And the pv_roof_ratio is uncertain up to 40
    When the rules are evaluated
    Then rule PV-1 is fail
    And rule PV-1 measured 30
    And rule PV-1 explains "up to 40%"
    And rule PV-1 explains "does not change the outcome"

  @rule:PV-1 @severity:mandatory
  Scenario: PV-1 地面光伏不计入屋顶光伏 / panels that stand on no roof do not pass as rooftop PV
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 600 m²
    And the PV panels stand on the ground beside the building
    When the rules are evaluated
    Then rule PV-1 is manual_review

  @rule:PV-1 @severity:mandatory
  Scenario: PV-1 无法核对位置的光伏组件须复核 / panels whose position cannot be checked go to manual review
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 600 m²
    And the models hold no geometry for the PV panels
    When the rules are evaluated
    Then rule PV-1 is manual_review

  @rule:PV-1 @severity:mandatory
  Scenario: PV-1 按指定日期施行的规则判断 / judged by the rules in force on another date
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 0 m²
    When the rules are evaluated as of 2021-06-30
    Then rule PV-1 is not_applicable

  # ---------------------------------------------------------------- PV-2 (mandatory)

  @rule:PV-2 @severity:mandatory
  Scenario Outline: PV-2 其他新建公共建筑光伏≥30% / other new public buildings — <case>
    Given a new <use> submission filed on <filed_on>
    And the models show a roof of <roof> m² and PV panels of <pv> m²
    When the rules are evaluated
    Then rule PV-2 is <status>

    Examples:
      | case                                        | use                | filed_on   | roof | pv    | status         |
      | office above 30% passes                     | public_office      | 2024-06-01 | 1000 | 350   | pass           |
      | boundary: exactly 30% passes                | public_hotel       | 2024-06-01 | 1000 | 300   | pass           |
      | boundary: just below 30% (29.99%) fails     | commercial_complex | 2024-06-01 | 1000 | 299.9 | fail           |
      | panel without an area                       | public_culture     | 2024-06-01 | 1000 | ?     | missing_data   |
      | a school is PV-1's                          | school             | 2024-06-01 | 1000 | 0     | not_applicable |
      | a dwelling is not a public building         | residential        | 2024-06-01 | 1000 | 0     | not_applicable |
      | a dock's service building is a public one   | dock               | 2024-06-01 | 1000 | 350   | pass           |
      | a data centre is PV-1's (an industrial one) | data_centre        | 2024-06-01 | 1000 | 0     | not_applicable |
      | date: filed the day before the plan applies | public_office      | 2021-12-31 | 1000 | 0     | not_applicable |
      | date: in force from its first day           | public_office      | 2022-01-01 | 1000 | 0     | fail           |

  @rule:PV-2 @severity:mandatory
  Scenario Outline: PV-2 存疑比例：合理取值范围决定结论 / a doubtful ratio: its plausible range decides — <case>
    Given a new public_office submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of <pv> m²
    And the pv_roof_ratio is uncertain between <low> and <high>
    When the rules are evaluated
    Then rule PV-2 is <status>
    And rule PV-2 measured <ratio>
    And rule PV-2 explains "<says>"

    Examples:
      | case                                               | pv  | low | high | status        | ratio | says                        |
      | the whole range 36–45% meets 30%: passes           | 400 | 36  | 45   | pass          | 40    | does not change the outcome |
      | doubtful, but 0% at most: fails                    | 0   | 0   | 0    | fail          | 0     | does not change the outcome |
      | the range 20–40% straddles 30%: a reviewer decides | 300 | 20  | 40   | manual_review | 30    | straddles the requirement   |

  @rule:PV-1 @rule:PV-2 @severity:mandatory
  Scenario Outline: PV-1、PV-2 均不适用 / neither rule applies — <case>
    Given a <kind> <use> submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 0 m²
    When the rules are evaluated
    Then rules PV-1 and PV-2 are not_applicable

    Examples:
      | case                     | kind     | use           |
      | retrofit of a school     | retrofit | school        |
      | retrofit of an office    | retrofit | public_office |
      | new residential building | new      | residential   |

  # ---------------------------------------------------------------- PV-3 (target)

  @rule:PV-3 @severity:target
  Scenario Outline: PV-3 既有公共机构、工业厂房光伏覆盖率≥50% / existing public institutions and plants — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the project is <pi>
    And the models show a roof of <roof> m² and PV panels of <pv> m²
    When the rules are evaluated
    Then rule PV-3 is <status>
    And rule PV-3 does not block approval

    Examples:
      | case                                           | kind     | use              | pi                       | filed_on   | roof | pv    | status         |
      | public-institution office at 60% passes        | retrofit | public_office    | a public institution     | 2024-03-01 | 1000 | 600   | pass           |
      | boundary: exactly 50% passes                   | retrofit | school           | a public institution     | 2024-03-01 | 1000 | 500   | pass           |
      | boundary: just below 50% fails (target only)   | retrofit | school           | a public institution     | 2024-03-01 | 1000 | 499.9 | fail           |
      | an industrial plant need not be an institution | retrofit | industrial_plant | not a public institution | 2024-03-01 | 800  | 0     | fail           |
      | an existing data centre is an industrial plant | retrofit | data_centre      | not a public institution | 2024-03-01 | 800  | 0     | fail           |
      | no roof in the model                           | retrofit | school           | a public institution     | 2024-03-01 | none | 300   | missing_data   |
      | a private office is not covered                | retrofit | public_office    | not a public institution | 2024-03-01 | 1000 | 0     | not_applicable |
      | a new building is not a retrofit               | new      | public_office    | a public institution     | 2024-03-01 | 1000 | 600   | not_applicable |
      | date: the day before it applies (2022-12-30)   | retrofit | school           | a public institution     | 2022-12-30 | 1000 | 0     | not_applicable |
      | date: in force from 2022-12-31                 | retrofit | school           | a public institution     | 2022-12-31 | 1000 | 0     | fail           |

  # ---------------------------------------------------------------- PV-4 (target)

  @rule:PV-4 @severity:target
  Scenario Outline: PV-4 适宜屋面应装尽装 / PV on all the suitable roof area — <case>
    Given a retrofit <use> submission filed on <filed_on>
    And the project is <pi>
    And the models show a roof of 1000 m² and PV panels of <pv> m²
    And the submission states declared.suitable_roof_area_m2 = <suitable>
    When the rules are evaluated
    Then rule PV-4 is <status>
    And rule PV-4 does not block approval

    Examples:
      | case                                               | use              | pi                       | filed_on   | pv     | suitable   | status         |
      | more PV than the suitable area passes              | school           | a public institution     | 2026-03-01 | 900    | 800        | pass           |
      | boundary: exactly 100% of the suitable area passes | industrial_plant | not a public institution | 2026-03-01 | 600    | 600        | pass           |
      | boundary: just below 100% (99.99%) fails           | school           | a public institution     | 2026-03-01 | 599.94 | 600        | fail           |
      | suitable area not declared                         | school           | a public institution     | 2026-03-01 | 600    | not stated | missing_data   |
      | a private office is not covered                    | public_office    | not a public institution | 2026-03-01 | 0      | 600        | not_applicable |
      | date: the day before the 15th five-year plan       | school           | a public institution     | 2025-12-31 | 0      | 600        | not_applicable |
      | date: in force from 2026-01-01                     | school           | a public institution     | 2026-01-01 | 0      | 600        | fail           |

  # ---------------------------------------------------------------- PV-5 (encouraged)

  @rule:PV-5 @severity:encouraged
  Scenario Outline: PV-5 鼓励光伏建筑一体化、“光储直柔” / BIPV and PV-storage-DC-flexible encouraged — <case>
    Given a <kind> public_office submission filed on <filed_on>
    And the submission states measures = <measures>
    When the rules are evaluated
    Then rule PV-5 is <status>
    And rule PV-5 does not block approval

    Examples:
      | case                                             | kind     | filed_on   | measures                 | status         |
      | BIPV adopted passes                              | new      | 2024-03-01 | [bipv, bim]              | pass           |
      | boundary: exactly one of the two measures passes | new      | 2024-03-01 | [pv_storage_dc_flexible] | pass           |
      | boundary: neither measure (only BIM) fails       | new      | 2024-03-01 | [bim]                    | fail           |
      | no measures adopted fails, never blocks          | new      | 2024-03-01 | []                       | fail           |
      | measures not stated                              | new      | 2024-03-01 | not stated               | missing_data   |
      | a retrofit is not covered                        | retrofit | 2024-03-01 | [bipv]                   | not_applicable |
      | date: the day before it applies (2022-12-30)     | new      | 2022-12-30 | [bipv]                   | not_applicable |
      | date: in force from 2022-12-31                   | new      | 2022-12-31 | [bipv]                   | pass           |
