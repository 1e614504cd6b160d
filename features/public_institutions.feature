@theme:public_institutions @version:1
Feature: 公共机构节能降碳 / Public institutions — operating intensities vs 2020 — PI-1
  杨府发〔2022〕13号 三(八)2：
  "到2025年，实现单位建筑面积能耗、人均能耗、人均水耗、单位建筑面积碳排放分别较2020年降低5%、6%、7%和7%。"

  PI-1 (target): a retrofit of a public institution states its 2020 baseline and current operating
  intensities (operation in submission.yaml); each must be down by its share: energy per m² 5 %,
  energy per person 6 %, water per person 7 %, carbon per m² 7 %. All four must hold; one that
  falls short fails the rule. Baselines below are 100 in every unit, so the current figure is
  100 minus the reduction.
  四项降幅须同时达到；下列场景的2020年基准均为100。

  Background:
    Given the rule set in "rules"

  @rule:PI-1 @severity:target
  Scenario Outline: PI-1 公共机构运行强度较2020年下降 / reductions vs 2020 — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the project is <pi>
    And the submission states:
      | field                                     | value    |
      | operation.baseline_2020.energy_per_m2     | 100      |
      | operation.baseline_2020.energy_per_capita | 100      |
      | operation.baseline_2020.water_per_capita  | 100      |
      | operation.baseline_2020.carbon_per_m2     | 100      |
      | operation.current.energy_per_m2           | <energy> |
      | operation.current.energy_per_capita       | <person> |
      | operation.current.water_per_capita        | <water>  |
      | operation.current.carbon_per_m2           | <carbon> |
    When the rules are evaluated
    Then rule PI-1 is <status>
    And rule PI-1 does not block approval

    Examples:
      | case                                         | kind     | use               | pi                       | filed_on   | energy | person | water | carbon | status         |
      | every intensity well down passes             | retrofit | government_office | a public institution     | 2024-03-01 | 90     | 90     | 90    | 90     | pass           |
      | boundary: exactly 5%, 6%, 7% and 7% passes   | retrofit | school            | a public institution     | 2024-03-01 | 95     | 94     | 93    | 93     | pass           |
      | boundary: energy per m² down 4.9% fails      | retrofit | school            | a public institution     | 2024-03-01 | 95.1   | 94     | 93    | 93     | fail           |
      | boundary: carbon per m² down 6.9% fails      | retrofit | public_health     | a public institution     | 2024-03-01 | 95     | 94     | 93    | 93.1   | fail           |
      | water use up on 2020 fails                   | retrofit | public_office     | a public institution     | 2024-03-01 | 90     | 90     | 105   | 90     | fail           |
      | not a public institution                     | retrofit | public_office     | not a public institution | 2024-03-01 | 100    | 100    | 100   | 100    | not_applicable |
      | a new building is not covered                | new      | government_office | a public institution     | 2024-03-01 | 100    | 100    | 100   | 100    | not_applicable |
      | date: the day before it applies (2022-12-30) | retrofit | government_office | a public institution     | 2022-12-30 | 100    | 100    | 100   | 100    | not_applicable |
      | date: in force from 2022-12-31               | retrofit | government_office | a public institution     | 2022-12-31 | 100    | 100    | 100   | 100    | fail           |

  @rule:PI-1 @severity:target
  Scenario: PI-1 未申报运行数据 / operating intensities not stated
    Given a retrofit government_office submission filed on 2024-03-01
    And the project is a public institution
    When the rules are evaluated
    Then rule PI-1 is missing_data
    And rule PI-1 does not block approval

  @rule:PI-1 @severity:target
  Scenario: PI-1 各项降幅逐一核查 / each reduction is checked on its own
    Given a retrofit school submission filed on 2024-03-01
    And the project is a public institution
    And the submission states:
      | field                                     | value |
      | operation.baseline_2020.energy_per_m2     | 20    |
      | operation.baseline_2020.energy_per_capita | 400   |
      | operation.baseline_2020.water_per_capita  | 30    |
      | operation.baseline_2020.carbon_per_m2     | 50    |
      | operation.current.energy_per_m2           | 19    |
      | operation.current.energy_per_capita       | 376   |
      | operation.current.water_per_capita        | 27.9  |
      | operation.current.carbon_per_m2           | 46.5  |
    When the rules are evaluated
    Then rule PI-1 is pass
    And rule PI-1 measured 5
