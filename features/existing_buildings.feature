@theme:existing_buildings @version:1
Feature: 既有建筑节能改造 / Existing buildings — EB-1 … EB-4
  杨府发〔2022〕13号 三(三)3：
  "持续推进一万平方米以上的公共建筑开展能源审计和节能诊断……‘十四五’和‘十五五’期间累计完成既有公共建筑
   节能改造360万平方米以上，其中平均节能率15%及以上的建筑面积达到40万平方米；‘十四五’期间，现有10万
   平方米以上大型商场改造为绿色商场；到2030年，所有现有商业综合体完成绿色商场改造。"

  EB-1 (target: promotional wording, no obligation cited): retrofits of public buildings over 10,000 m² have an energy audit and
  energy-saving diagnosis on file (energy.audit with the report named). EB-2 (district tally): a
  retrofit saving at least 15 % of the baseline energy use counts its floor area toward the district's
  400,000 m² (计入); one saving less conforms too and is reported as 不计入, never as 不通过, and is
  not listed as something to fix. EB-3 (target): malls over 100,000 m² are
  retrofitted to green malls (measures: green_mall); EB-4 (target, from 2026): every commercial
  complex. "以上" includes the number itself (as in Chinese legal usage): exactly 10,000 m² (or
  100,000 m²) is covered. Where the floor area is not known, whether EB-1 or EB-3 applies cannot be
  told (missing_data).
  “以上”含本数；面积未知时无法判断是否适用。

  Background:
    Given the rule set in "rules"

  # ---------------------------------------------------------------- EB-1 (target)

  @rule:EB-1 @severity:target
  Scenario Outline: EB-1 一万平方米以上公共建筑能源审计 / energy audit for public buildings over 10,000 m² — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the gross floor area is <gfa>
    And the submission states energy.audit = <audit>
    When the rules are evaluated
    Then rule EB-1 is <status>

    Examples:
      | case                                                       | kind     | use           | filed_on   | gfa        | audit                                  | status         |
      | an audit on file with its report passes                    | retrofit | public_office | 2024-03-01 | 15000 m²   | {on_file: true, document: EA-2023-017} | pass           |
      | boundary: exactly 10000 m² with the audit on file passes   | retrofit | school        | 2024-03-01 | 10000 m²   | {on_file: true, document: EA-2023-018} | pass           |
      | boundary: no audit on file fails                           | retrofit | public_office | 2024-03-01 | 15000 m²   | {on_file: false}                       | fail           |
      | an audit said to be on file without its report: review     | retrofit | public_office | 2024-03-01 | 15000 m²   | {on_file: true}                        | manual_review  |
      | audit not stated                                           | retrofit | public_office | 2024-03-01 | 15000 m²   | not stated                             | missing_data   |
      | boundary: just under 10000 m² is not covered               | retrofit | public_office | 2024-03-01 | 9999.9 m²  | {on_file: false}                       | not_applicable |
      | below the size threshold does not apply                    | retrofit | public_office | 2024-03-01 | 8000 m²    | {on_file: false}                       | not_applicable |
      | size unknown: whether it applies cannot be told            | retrofit | public_office | 2024-03-01 | not stated | {on_file: false}                       | missing_data   |
      | a new building is not covered                              | new      | public_office | 2024-03-01 | 15000 m²   | {on_file: false}                       | not_applicable |
      | a residential building is not public                       | retrofit | residential   | 2024-03-01 | 15000 m²   | {on_file: false}                       | not_applicable |
      | date: the day before it applies (2022-12-30)               | retrofit | public_office | 2022-12-30 | 15000 m²   | {on_file: false}                       | not_applicable |
      | date: in force from 2022-12-31                             | retrofit | public_office | 2022-12-31 | 15000 m²   | {on_file: false}                       | fail           |

  @rule:EB-1 @severity:target
  Scenario: EB-1 申报未填面积时采用模型中的总建筑面积 / the models' gross floor area decides when none is stated
    Given a retrofit public_office submission filed on 2024-03-01
    And the models show a building of 12000 m² gross floor area
    And the submission states energy.audit = {on_file: false}
    When the rules are evaluated
    Then rule EB-1 is fail
    And rule EB-1 does not block approval

  # ---------------------------------------------------------------- EB-2 (district tally)

  @rule:EB-2 @severity:tally
  Scenario Outline: EB-2 平均节能率15%及以上的改造面积计入区级40万平方米 / a retrofit saving 15 % or more counts toward the district's 400,000 m² — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.baseline_energy_kwh_per_year = <before>
    And the submission states energy.design_energy_kwh_per_year = <after>
    When the rules are evaluated
    Then rule EB-2 is <status>
    And rule EB-2 measured <saving>
    And rule EB-2 is reported as "<reported>"
    And rule EB-2 does not block approval

    Examples:
      | case                                                 | kind     | use           | filed_on   | before  | after      | status         | saving | reported |
      | a 20% saving counts                                  | retrofit | public_office | 2024-03-01 | 1000000 | 800000     | pass           | 20     | 计入      |
      | boundary: exactly 15% counts                         | retrofit | public_hotel  | 2024-03-01 | 1000000 | 850000     | pass           | 15     | 计入      |
      | boundary: just below 15% (14.99%) is not counted     | retrofit | public_hotel  | 2024-03-01 | 1000000 | 850100     | fail           | 14.99  | 不计入     |
      | design energy use not stated                         | retrofit | public_office | 2024-03-01 | 1000000 | not stated | missing_data   | —      | 数据缺失    |
      | a new building is not covered                        | new      | public_office | 2024-03-01 | 1000000 | 950000     | not_applicable | —      | 不适用     |
      | a residential building is not public                 | retrofit | residential   | 2024-03-01 | 1000000 | 950000     | not_applicable | —      | 不适用     |
      | date: the day before it applies (2022-12-30)         | retrofit | public_office | 2022-12-30 | 1000000 | 950000     | not_applicable | —      | 不适用     |
      | date: in force from 2022-12-31                       | retrofit | public_office | 2022-12-31 | 1000000 | 950000     | fail           | 5      | 不计入     |

  @rule:EB-2 @severity:tally
  Scenario: EB-2 节能率10%的改造符合方案，不计入40万平方米，不列为不通过 / a 10 % retrofit conforms and is not counted, never a fail to fix
    Given a retrofit public_office submission filed on 2024-03-01
    And the submission states energy.baseline_energy_kwh_per_year = 1000000
    And the submission states energy.design_energy_kwh_per_year = 900000
    When the rules are evaluated
    Then rule EB-2 is fail
    And rule EB-2 measured 10
    And rule EB-2 is reported as "不计入"
    And rule EB-2 is reported as "not counted"
    And rule EB-2 explains "低于15%，该建筑面积不计入“平均节能率15%及以上的建筑面积达到40万平方米”的区级统计；本条不影响总体结论"
    And rule EB-2 does not block approval
    And rule EB-2 is not listed as something to fix
    And the overall verdict is compliant

  @rule:EB-2 @severity:tally
  Scenario: EB-2 节能率18%的改造计入40万平方米 / an 18 % retrofit counts toward the 400,000 m²
    Given a retrofit public_office submission filed on 2024-03-01
    And the submission states energy.baseline_energy_kwh_per_year = 1000000
    And the submission states energy.design_energy_kwh_per_year = 820000
    When the rules are evaluated
    Then rule EB-2 is pass
    And rule EB-2 is reported as "计入"
    And rule EB-2 explains "不低于15%，该建筑面积计入“平均节能率15%及以上的建筑面积达到40万平方米”的区级统计"
    And rule EB-2 is not listed as something to fix
    And the overall verdict is compliant

  @rule:EB-2 @severity:tally
  Scenario: EB-2 未申报改造后能耗：资料不全，列入鼓励性及目标性事项，不影响结论 / saving not stated: data missing, listed apart, does not block
    Given a retrofit public_office submission filed on 2024-03-01
    And the submission states energy.baseline_energy_kwh_per_year = 1000000
    When the rules are evaluated
    Then rule EB-2 is missing_data
    And rule EB-2 is reported as "数据缺失"
    And rule EB-2 is listed as something to fix
    And rule EB-2 does not block approval
    And the overall verdict is compliant

  # ---------------------------------------------------------------- EB-3 (target)

  @rule:EB-3 @severity:target
  Scenario Outline: EB-3 10万平方米以上大型商场改造为绿色商场 / malls over 100,000 m² become green malls — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the gross floor area is <gfa>
    And the submission states measures = <measures>
    When the rules are evaluated
    Then rule EB-3 is <status>
    And rule EB-3 does not block approval

    Examples:
      | case                                                  | kind     | use                | filed_on   | gfa         | measures     | status         |
      | a green-mall retrofit passes                          | retrofit | commercial_complex | 2024-03-01 | 120000 m²   | [green_mall] | pass           |
      | boundary: exactly 100000 m² with green_mall passes    | retrofit | public_commercial  | 2024-03-01 | 100000 m²   | [green_mall] | pass           |
      | boundary: green_mall not adopted fails                | retrofit | commercial_complex | 2024-03-01 | 120000 m²   | [bim]        | fail           |
      | measures not stated                                   | retrofit | commercial_complex | 2024-03-01 | 120000 m²   | not stated   | missing_data   |
      | boundary: just under 100000 m² is not covered         | retrofit | commercial_complex | 2024-03-01 | 99999.5 m²  | []           | not_applicable |
      | below the size threshold does not apply               | retrofit | public_commercial  | 2024-03-01 | 60000 m²    | []           | not_applicable |
      | size unknown: whether it applies cannot be told       | retrofit | commercial_complex | 2024-03-01 | not stated  | []           | missing_data   |
      | an office is not a mall                               | retrofit | public_office      | 2024-03-01 | 120000 m²   | []           | not_applicable |
      | a new mall is not covered                             | new      | commercial_complex | 2024-03-01 | 120000 m²   | []           | not_applicable |
      | date: the day before it applies (2022-12-30)          | retrofit | commercial_complex | 2022-12-30 | 120000 m²   | []           | not_applicable |
      | date: in force from 2022-12-31                        | retrofit | commercial_complex | 2022-12-31 | 120000 m²   | []           | fail           |

  # ---------------------------------------------------------------- EB-4 (target, from 2026)

  @rule:EB-4 @severity:target
  Scenario Outline: EB-4 2030年前所有商业综合体完成绿色商场改造 / every commercial complex a green mall by 2030 — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the gross floor area is 30000 m²
    And the submission states measures = <measures>
    When the rules are evaluated
    Then rule EB-4 is <status>
    And rule EB-4 does not block approval

    Examples:
      | case                                         | kind     | use                | filed_on   | measures             | status         |
      | a green-mall retrofit passes                 | retrofit | commercial_complex | 2026-06-01 | [green_mall, bim]    | pass           |
      | boundary: exactly the one measure passes     | retrofit | commercial_complex | 2026-06-01 | [green_mall]         | pass           |
      | boundary: green_mall not adopted fails       | retrofit | commercial_complex | 2026-06-01 | [green_construction] | fail           |
      | measures not stated                          | retrofit | commercial_complex | 2026-06-01 | not stated           | missing_data   |
      | a commercial building is not a complex       | retrofit | public_commercial  | 2026-06-01 | []                   | not_applicable |
      | a new complex is not covered                 | new      | commercial_complex | 2026-06-01 | []                   | not_applicable |
      | date: the day before it applies (2025-12-31) | retrofit | commercial_complex | 2025-12-31 | []                   | not_applicable |
      | date: in force from 2026-01-01               | retrofit | commercial_complex | 2026-01-01 | []                   | fail           |
