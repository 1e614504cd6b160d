@theme:renewables @version:1
Feature: 可再生能源利用 / Renewable energy — RE-1 … RE-3
  杨府发〔2022〕13号 三(一)2：
  "2022年起新建公共建筑、居住建筑和工业厂房至少使用一种可再生能源，推广太阳能光热、浅层地热能、
   氢能、余热等多元化能源应用。到2025年，城镇新建建筑可再生能源替代率达到10%，到2030年，进一步提升到15%。"

  RE-1 (mandatory): every new building except parking facilities (a dock's service building is a
  public building, a data centre an industrial plant) uses at least one
  renewable energy type, shown in the models (PV panels, solar collectors, heat pumps with a stated
  ground/water/air source, heat recovery); a type that is only declared counts, but uncertain
  (between the types shown and those declared), so it goes to a reviewer unless the types the
  models show decide the rule on their own.
  RE-1 has no missing_data case: a model that shows no renewable system fails.
  RE-2 (target, the 14th five-year plan's "到2025年": from the plan's date 2022-12-31 to 2025-12-31) and
  RE-3 (target, the 15th's "到2030年": from 2026-01-01; rules/_settings.yaml `dates`): the design renewable
  substitution rate stated in submission.yaml reaches 10 % and 15 %.
  模型中的光伏、太阳能光热、注明热源的热泵、余热回收各计一种可再生能源；仅申报未建模的计入但存疑，
  除非模型中已体现的种类足以判定，否则由审核人复核。

  Background:
    Given the rule set in "rules"

  # ---------------------------------------------------------------- RE-1 (mandatory)

  @rule:RE-1 @severity:mandatory
  Scenario Outline: RE-1 新建建筑至少使用一种可再生能源 / at least one renewable energy type — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the models show <system>
    When the rules are evaluated
    Then rule RE-1 is <status>
    And rule RE-1 measured <types>

    Examples:
      | case                                              | kind     | use              | filed_on   | system                                    | status         | types |
      | a ground-source heat pump passes                  | new      | residential      | 2024-03-01 | a heat_pump system using ground           | pass           | 1     |
      | boundary: exactly one type (solar thermal) passes | new      | public_office    | 2024-03-01 | a solar_thermal system                    | pass           | 1     |
      | rooftop PV counts as a renewable type             | new      | school           | 2024-03-01 | a roof of 1000 m² and PV panels of 600 m² | pass           | 1     |
      | data-centre waste-heat recovery counts            | new      | data_centre      | 2024-03-01 | a waste_heat_recovery system using data_centre | pass      | 1     |
      | sewage-source heat recovery counts                | new      | public_office    | 2024-03-01 | a waste_heat_recovery system using sewage | pass           | 1     |
      | process waste heat counts                         | new      | industrial_plant | 2024-03-01 | a waste_heat_recovery system using process | pass          | 1     |
      | ERV only: exhaust-air heat recovery is no renewable | new    | public_office    | 2024-03-01 | a waste_heat_recovery system using exhaust_air | fail      | 0     |
      | heat recovery with no stated source goes to review | new     | public_office    | 2024-03-01 | a waste_heat_recovery system              | manual_review  | 0     |
      | boundary: no renewable system fails               | new      | industrial_plant | 2024-03-01 | no renewable system                       | fail           | 0     |
      | a heat pump with no stated source goes to review  | new      | residential      | 2024-03-01 | a heat_pump system                        | manual_review  | 0     |
      | a parking facility is not covered                 | new      | parking          | 2024-03-01 | no renewable system                       | not_applicable | —     |
      | a dock's service building is a public building    | new      | dock             | 2024-03-01 | no renewable system                       | fail           | 0     |
      | a dock's service building with PV passes          | new      | dock             | 2024-03-01 | a roof of 200 m² and PV panels of 60 m²   | pass           | 1     |
      | a new data centre is an industrial plant          | new      | data_centre      | 2024-03-01 | no renewable system                       | fail           | 0     |
      | a retrofit is not covered                         | retrofit | residential      | 2024-03-01 | no renewable system                       | not_applicable | —     |
      | date: filed the day before 2022                   | new      | residential      | 2021-12-31 | no renewable system                       | not_applicable | —     |
      | date: in force from 2022-01-01                    | new      | residential      | 2022-01-01 | no renewable system                       | fail           | 0     |

  @rule:RE-1 @severity:mandatory
  Scenario: RE-1 仅申报、模型未体现的可再生能源须复核 / a type only declared, not modelled, goes to manual review
    Given a new residential submission filed on 2024-03-01
    And the submission states declared.renewable_systems = [heat_pump]
    And the models show no renewable system
    When the rules are evaluated
    Then rule RE-1 is manual_review
    And rule RE-1 blocks approval
    And rule RE-1 explains "declared but not shown in the models"

  @rule:RE-1 @severity:mandatory
  Scenario: RE-1 模型已体现一种时，仅申报的种类存疑但不改变结论 / a type the models show decides; one only declared is a doubt that does not
    Given a new residential submission filed on 2024-03-01
    And the submission states declared.renewable_systems = [heat_pump, solar_thermal]
    And the models show a solar_thermal system
    When the rules are evaluated
    Then rule RE-1 is pass
    And rule RE-1 measured 2
    And rule RE-1 explains "declared only, not shown in the models"
    And rule RE-1 explains "does not change the outcome"

  # ---------------------------------------------------------------- RE-2 (target, 2022-12-31 – 2025-12-31)

  @rule:RE-2 @severity:target
  Scenario Outline: RE-2 可再生能源替代率≥10%（2025年目标） / substitution rate ≥ 10 % — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.renewable_substitution_rate_pct = <rate>
    When the rules are evaluated
    Then rule RE-2 is <status>
    And rule RE-2 does not block approval

    Examples:
      | case                                          | kind     | use           | filed_on   | rate       | status         |
      | 12% passes                                    | new      | residential   | 2025-06-01 | 12         | pass           |
      | boundary: exactly 10% passes                  | new      | public_office | 2025-06-01 | 10         | pass           |
      | boundary: just below 10% (9.99%) fails        | new      | public_office | 2025-06-01 | 9.99       | fail           |
      | rate not stated                               | new      | residential   | 2025-06-01 | not stated | missing_data   |
      | a parking facility is not covered             | new      | parking       | 2025-06-01 | 0          | not_applicable |
      | a retrofit is not covered                     | retrofit | residential   | 2025-06-01 | 0          | not_applicable |
      | date: the day before the plan (2022-12-30)    | new      | residential   | 2022-12-30 | 5          | not_applicable |
      | date: in force from the plan's date           | new      | residential   | 2022-12-31 | 5          | fail           |
      | date: still in force on its last day          | new      | residential   | 2025-12-31 | 5          | fail           |
      | date: no longer in force the day after (2026) | new      | residential   | 2026-01-01 | 5          | not_applicable |

  # ---------------------------------------------------------------- RE-3 (target, from 2026)

  @rule:RE-3 @severity:target
  Scenario Outline: RE-3 可再生能源替代率≥15%（2030年目标） / substitution rate ≥ 15 % — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.renewable_substitution_rate_pct = <rate>
    When the rules are evaluated
    Then rule RE-3 is <status>
    And rule RE-3 does not block approval

    Examples:
      | case                                         | kind     | use         | filed_on   | rate       | status         |
      | 20% passes                                   | new      | residential | 2030-06-01 | 20         | pass           |
      | boundary: exactly 15% passes                 | new      | school      | 2030-06-01 | 15         | pass           |
      | boundary: just below 15% (14.99%) fails      | new      | school      | 2030-06-01 | 14.99      | fail           |
      | rate not stated                              | new      | residential | 2030-06-01 | not stated | missing_data   |
      | a dock's service building is covered         | new      | dock        | 2030-06-01 | 0          | fail           |
      | a retrofit is not covered                    | retrofit | residential | 2030-06-01 | 0          | not_applicable |
      | date: the day before it applies (2025-12-31) | new      | residential | 2025-12-31 | 12         | not_applicable |
      | date: in force from 2026-01-01               | new      | residential | 2026-01-01 | 12         | fail           |
      | date: still in force after 2030              | new      | residential | 2031-06-01 | 12         | fail           |

  @rule:RE-2 @rule:RE-3 @severity:target
  Scenario: RE-2 至 RE-3 的衔接 / on 2026-01-01 the 15 % target takes over from the 10 % target
    Given a new residential submission filed on 2025-06-01
    And the submission states energy.renewable_substitution_rate_pct = 12
    When the rules are evaluated as of 2026-01-01
    Then rule RE-2 is not_applicable
    And rule RE-3 is fail
