@theme:ultra_low_energy @version:1
Feature: 超低能耗与近零碳建筑 / Ultra-low-energy and near-zero-carbon buildings — ULE-1 … ULE-4
  杨府发〔2022〕13号 三(三)2：
  "“十五五”期间，新建居住建筑执行超低能耗建筑标准的比例达到50%，规模化推进新建公共建筑执行超低能耗
   建筑标准；到2030年，新建民用建筑全面执行超低能耗建筑标准。推动长阳创谷开展近零碳建筑试点建设。"

  ULE-1 (target, 2026–2029, new residential), ULE-2 (encouraged, 2026–2029, new public) and
  ULE-3 (mandatory from 2030, new civil): the declared energy class (energy.energy_class) is
  ultra-low-energy or better, and the class must be supported by the design saving rate against
  the 2016 baseline (energy.design_saving_rate_pct: ultra-low ≥ 50 %, nearly-zero ≥ 60 %,
  zero-energy ≥ 100 %); a class the saving rate does not support counts as the class it supports.
  ULE-4 (encouraged): projects in Changyang Valley list near_zero_carbon_pilot under measures.
  申报能效等级须由设计节能率支撑；节能率不足时按其支撑的等级判定。

  Background:
    Given the rule set in "rules"

  # ---------------------------------------------------------------- ULE-1 (target)

  @rule:ULE-1 @severity:target
  Scenario Outline: ULE-1 新建居住建筑执行超低能耗标准 / new residential buildings, ultra-low-energy — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.energy_class = <class>
    And the submission states energy.design_saving_rate_pct = <saving>
    When the rules are evaluated
    Then rule ULE-1 is <status>
    And rule ULE-1 does not block approval

    Examples:
      | case                                                 | kind     | use           | filed_on   | class       | saving     | status         |
      | class supported by a 55% saving passes               | new      | residential   | 2027-03-01 | ultra_low   | 55         | pass           |
      | boundary: class supported by exactly 50% passes      | new      | residential   | 2027-03-01 | ultra_low   | 50         | pass           |
      | boundary: class NOT supported by 49.9% fails         | new      | residential   | 2027-03-01 | ultra_low   | 49.9       | fail           |
      | nearly-zero declared, 55% supports ultra-low: passes | new      | residential   | 2027-03-01 | nearly_zero | 55         | pass           |
      | class "none" fails                                   | new      | residential   | 2027-03-01 | none        | not stated | fail           |
      | class declared without a saving rate goes to review  | new      | residential   | 2027-03-01 | ultra_low   | not stated | manual_review  |
      | class not stated                                     | new      | residential   | 2027-03-01 | not stated  | 55         | missing_data   |
      | an office is ULE-2's                                 | new      | public_office | 2027-03-01 | none        | not stated | not_applicable |
      | a retrofit is not covered                            | retrofit | residential   | 2027-03-01 | none        | not stated | not_applicable |
      | date: the day before the 15th five-year plan         | new      | residential   | 2025-12-31 | none        | not stated | not_applicable |
      | date: in force from 2026-01-01                       | new      | residential   | 2026-01-01 | none        | not stated | fail           |
      | date: still in force on its last day (2029-12-31)    | new      | residential   | 2029-12-31 | none        | not stated | fail           |
      | date: no longer in force the day after (2030-01-01)  | new      | residential   | 2030-01-01 | none        | not stated | not_applicable |

  # ---------------------------------------------------------------- ULE-2 (encouraged)

  @rule:ULE-2 @severity:encouraged
  Scenario Outline: ULE-2 新建公共建筑执行超低能耗标准 / new public buildings, ultra-low-energy — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.energy_class = <class>
    And the submission states energy.design_saving_rate_pct = <saving>
    When the rules are evaluated
    Then rule ULE-2 is <status>
    And rule ULE-2 does not block approval

    Examples:
      | case                                                | kind     | use           | filed_on   | class       | saving     | status         |
      | zero-energy supported by 100% passes                | new      | public_office | 2027-03-01 | zero_energy | 100        | pass           |
      | boundary: class supported by exactly 50% passes     | new      | school        | 2027-03-01 | ultra_low   | 50         | pass           |
      | boundary: class NOT supported by 49.9% fails        | new      | school        | 2027-03-01 | ultra_low   | 49.9       | fail           |
      | class not stated                                    | new      | public_hotel  | 2027-03-01 | not stated  | not stated | missing_data   |
      | a dwelling is ULE-1's                               | new      | residential   | 2027-03-01 | none        | not stated | not_applicable |
      | a retrofit is not covered                           | retrofit | public_office | 2027-03-01 | none        | not stated | not_applicable |
      | date: the day before the 15th five-year plan        | new      | public_office | 2025-12-31 | none        | not stated | not_applicable |
      | date: in force from 2026-01-01                      | new      | public_office | 2026-01-01 | none        | not stated | fail           |
      | date: still in force on its last day (2029-12-31)   | new      | public_office | 2029-12-31 | none        | not stated | fail           |
      | date: no longer in force the day after (2030-01-01) | new      | public_office | 2030-01-01 | none        | not stated | not_applicable |

  # ---------------------------------------------------------------- ULE-3 (mandatory from 2030)

  @rule:ULE-3 @severity:mandatory
  Scenario Outline: ULE-3 2030年起新建民用建筑全面执行超低能耗标准 / new civil buildings from 2030 — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.energy_class = <class>
    And the submission states energy.design_saving_rate_pct = <saving>
    When the rules are evaluated
    Then rule ULE-3 is <status>
    And rule ULE-3 <blocks> approval

    Examples:
      | case                                                | kind     | use              | filed_on   | class       | saving     | status         | blocks         |
      | nearly-zero supported by 62% passes                 | new      | residential      | 2030-06-01 | nearly_zero | 62         | pass           | does not block |
      | boundary: class supported by exactly 50% passes     | new      | public_office    | 2030-06-01 | ultra_low   | 50         | pass           | does not block |
      | boundary: class NOT supported by 49.9% fails        | new      | public_office    | 2030-06-01 | ultra_low   | 49.9       | fail           | blocks         |
      | class declared without a saving rate goes to review | new      | residential      | 2030-06-01 | ultra_low   | not stated | manual_review  | blocks         |
      | class not stated                                    | new      | residential      | 2030-06-01 | not stated  | not stated | missing_data   | blocks         |
      | an industrial plant is not a civil building         | new      | industrial_plant | 2030-06-01 | none        | not stated | not_applicable | does not block |
      | a retrofit is not covered                           | retrofit | residential      | 2030-06-01 | none        | not stated | not_applicable | does not block |
      | date: the day before it applies (2029-12-31)        | new      | residential      | 2029-12-31 | none        | not stated | not_applicable | does not block |
      | date: in force from 2030-01-01                      | new      | residential      | 2030-01-01 | none        | not stated | fail           | blocks         |

  @rule:ULE-1 @rule:ULE-3 @severity:target @severity:mandatory
  Scenario: ULE-1 至 ULE-3 的衔接 / judged as of 2030-01-01 the mandatory rule takes over
    Given a new residential submission filed on 2029-06-01
    And the submission states energy.energy_class = none
    When the rules are evaluated as of 2030-01-01
    Then rule ULE-1 is not_applicable
    And rule ULE-3 is fail

  # ---------------------------------------------------------------- ULE-4 (encouraged)

  @rule:ULE-4 @severity:encouraged
  Scenario Outline: ULE-4 长阳创谷近零碳建筑试点 / Changyang Valley near-zero-carbon pilots — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the project is in zone <zone>
    And the submission states measures = <measures>
    When the rules are evaluated
    Then rule ULE-4 is <status>
    And rule ULE-4 does not block approval

    Examples:
      | case                                                | kind     | use              | zone             | filed_on   | measures                      | status         |
      | a near-zero-carbon pilot passes                     | new      | public_office    | changyang_valley | 2024-03-01 | [near_zero_carbon_pilot, bim] | pass           |
      | boundary: exactly the one measure passes (retrofit) | retrofit | industrial_plant | changyang_valley | 2024-03-01 | [near_zero_carbon_pilot]      | pass           |
      | boundary: no pilot measure fails                    | new      | residential      | changyang_valley | 2024-03-01 | [bim]                         | fail           |
      | measures not stated                                 | new      | residential      | changyang_valley | 2024-03-01 | not stated                    | missing_data   |
      | another zone is not covered                         | new      | public_office    | wujiaochang      | 2024-03-01 | []                            | not_applicable |
      | date: the day before it applies (2022-12-30)        | new      | public_office    | changyang_valley | 2022-12-30 | []                            | not_applicable |
      | date: in force from 2022-12-31                      | new      | public_office    | changyang_valley | 2022-12-31 | []                            | fail           |

  @rule:ULE-4 @severity:encouraged
  Scenario: ULE-4 未位于任何区域 / a project in no zone
    Given a new public_office submission filed on 2024-03-01
    And the project is in no zone
    And the submission states measures = []
    When the rules are evaluated
    Then rule ULE-4 is not_applicable
