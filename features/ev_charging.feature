@theme:ev_charging @version:1
Feature: 充电设施与岸电 / EV charging and shore power — EV-1 … EV-5
  杨府发〔2022〕13号 三(四)3：
  "新建停车场100%配备充电设施，新建小区100%预留充电设施建设安装条件，新建办公场所、公共设施等按照
   一类地区不少于15%配备充电桩，其中快充充电桩比例不低于30%……结合杨浦滨江沿线游船、游艇码头建设，
   增设码头岸电设施。"

  EV-1 (mandatory): a new parking facility has at least one charging point. EV-2 (mandatory): in a
  new residential compound every parking space reserves charger installation conditions
  (YP_ParkingSpace.ChargerReady). EV-3 (mandatory): new public buildings provide charging points for
  at least 15 % of their parking spaces; EV-4 (mandatory): at least 30 % of those charging points
  are fast (DC, or at least fast_charger_min_kw). EV-5 (encouraged): new docks provide shore power.
  The models are the evidence where they show parking spaces or charging points; otherwise the
  counts declared in submission.yaml stand in, but a count declared and not shown in any model
  is uncertain between 0 and the declared figure: a rule is decided on it only where every count
  in that range gives the same outcome, and goes to manual review otherwise (declared 0 is
  certain). EV-2 and EV-3 apply only where there are parking spaces, EV-4 only where there are
  charging points; where that count is unknown, whether they apply cannot be told
  (missing_data), and where it is only declared, a reviewer decides (manual_review).
  模型中有停车位或充电桩时以模型为准；否则采用申报数量，但仅申报、模型中未体现的数量视为介于 0 与申报值之间、存疑：
  仅当该范围内所有取值结论相同时才据以判定，否则需人工复核（申报为 0 时确定）。

  Background:
    Given the rule set in "rules"

  # ---------------------------------------------------------------- EV-1 (mandatory)

  @rule:EV-1 @severity:mandatory
  Scenario Outline: EV-1 新建停车场配备充电设施 / new parking facilities have charging points — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the models show <what>
    When the rules are evaluated
    Then rule EV-1 is <status>

    Examples:
      | case                                         | kind     | use           | filed_on   | what                                                           | status         |
      | a car park with charging points passes       | new      | parking       | 2024-03-01 | 200 parking spaces and 30 charging points of which 10 are fast | pass           |
      | boundary: exactly one charging point passes  | new      | parking       | 2024-03-01 | 50 parking spaces and 1 charging point of which 0 are fast     | pass           |
      | boundary: no charging point fails            | new      | parking       | 2024-03-01 | 50 parking spaces and no charging points                       | fail           |
      | nothing modelled or declared                 | new      | parking       | 2024-03-01 | no parking spaces and no charging points                       | missing_data   |
      | an office is not a parking facility          | new      | public_office | 2024-03-01 | 50 parking spaces and no charging points                       | not_applicable |
      | a retrofit is not covered                    | retrofit | parking       | 2024-03-01 | 50 parking spaces and no charging points                       | not_applicable |
      | date: the day before it applies (2022-12-30) | new      | parking       | 2022-12-30 | 50 parking spaces and no charging points                       | not_applicable |
      | date: in force from 2022-12-31               | new      | parking       | 2022-12-31 | 50 parking spaces and no charging points                       | fail           |

  @rule:EV-1 @severity:mandatory
  Scenario: EV-1 仅申报、模型未体现的充电桩须复核 / charging points only declared, not modelled, go to manual review
    Given a new parking submission filed on 2024-03-01
    And the submission states declared.charging_points = 4
    When the rules are evaluated
    Then rule EV-1 is manual_review
    And rule EV-1 measured 4
    And rule EV-1 explains "declared only, not shown in the models"
    And rule EV-1 explains "0–4"

  # ---------------------------------------------------------------- EV-2 (mandatory)

  @rule:EV-2 @severity:mandatory
  Scenario Outline: EV-2 新建小区车位100%预留充电条件 / every residential space charger-ready — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the models show <spaces> parking spaces of which <ready> are charger-ready
    When the rules are evaluated
    Then rule EV-2 is <status>

    Examples:
      | case                                              | kind     | use           | filed_on   | spaces | ready | status         |
      | boundary: every space charger-ready (100%) passes | new      | residential   | 2024-03-01 | 40     | 40    | pass           |
      | boundary: one space short (97.5%) fails           | new      | residential   | 2024-03-01 | 40     | 39    | fail           |
      | none ready fails                                  | new      | residential   | 2024-03-01 | 120    | 0     | fail           |
      | an office is EV-3's                               | new      | public_office | 2024-03-01 | 40     | 0     | not_applicable |
      | a retrofit is not covered                         | retrofit | residential   | 2024-03-01 | 40     | 0     | not_applicable |
      | date: the day before it applies (2022-12-30)      | new      | residential   | 2022-12-30 | 40     | 0     | not_applicable |
      | date: in force from 2022-12-31                    | new      | residential   | 2022-12-31 | 40     | 0     | fail           |

  @rule:EV-2 @severity:mandatory
  Scenario Outline: EV-2 按申报数量核查 / from the declared counts — <case>
    Given a new residential submission filed on 2024-03-01
    And the submission states declared.parking_spaces = <spaces>
    And the submission states declared.charger_ready_spaces = <ready>
    When the rules are evaluated
    Then rule EV-2 is <status>

    Examples:
      | case                                                      | spaces     | ready      | status         |
      | declared only: whether it applies is doubtful             | 60         | 60         | manual_review  |
      | spaces declared only, charger-ready spaces not            | 60         | not stated | manual_review  |
      | below the size threshold: no parking spaces at all        | 0          | not stated | not_applicable |
      | size unknown: neither the models nor the submission count | not stated | not stated | missing_data   |

  @rule:EV-2 @severity:mandatory
  Scenario Outline: EV-2 已装充电桩的车位即已预留 / a space with a charger installed is charger-ready — <case>
    已安装充电桩的车位已具备安装条件，无论是否标注 ChargerReady；模型未表明充电桩对应哪个车位时，按可能的范围判定。
    Given a new residential submission filed on 2024-03-01
    And the models show <spaces> parking spaces of which <ready> are charger-ready
    And the models show <chargers> charging points of which 0 are fast
    When the rules are evaluated
    Then rule EV-2 is <status>

    Examples:
      | case                                                           | spaces | ready | chargers | status        |
      | a charger on every space: ready without the flag               | 10     | 0     | 10       | pass          |
      | 8 marked and 2 chargers: 8–10 ready, which spaces not shown    | 10     | 8     | 2        | manual_review |
      | 5 marked and 2 chargers: at most 7 of 10 ready, fails anyway   | 10     | 5     | 2        | fail          |
      | all marked: chargers change nothing                            | 10     | 10    | 3        | pass          |

  # ---------------------------------------------------------------- EV-3 (mandatory)

  @rule:EV-3 @severity:mandatory
  Scenario Outline: EV-3 新建办公、公共设施充电桩≥15% / public buildings, charging points for ≥ 15 % of spaces — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the models show <spaces> parking spaces and <chargers> charging points of which <fast> are fast
    When the rules are evaluated
    Then rule EV-3 is <status>
    And rule EV-3 measured <share>

    Examples:
      | case                                         | kind     | use           | filed_on   | spaces | chargers | fast | status         | share |
      | 20% of the spaces passes                     | new      | public_office | 2024-03-01 | 20     | 4        | 2    | pass           | 20    |
      | boundary: exactly 15% (3 of 20) passes       | new      | school        | 2024-03-01 | 20     | 3        | 1    | pass           | 15    |
      | boundary: just below 15% (14 of 100) fails   | new      | public_hotel  | 2024-03-01 | 100    | 14       | 5    | fail           | 14    |
      | a dwelling is EV-2's                         | new      | residential   | 2024-03-01 | 20     | 0        | 0    | not_applicable | —     |
      | a public garage is a public facility: 15%    | new      | parking       | 2024-03-01 | 100    | 14       | 5    | fail           | 14    |
      | a public garage at 15% passes                | new      | parking       | 2024-03-01 | 100    | 15       | 5    | pass           | 15    |
      | a retrofit is not covered                    | retrofit | public_office | 2024-03-01 | 20     | 0        | 0    | not_applicable | —     |
      | date: the day before it applies (2022-12-30) | new      | public_office | 2022-12-30 | 20     | 0        | 0    | not_applicable | —     |
      | date: in force from 2022-12-31               | new      | public_office | 2022-12-31 | 20     | 0        | 0    | fail           | 0     |

  @rule:EV-3 @rule:EV-4 @severity:mandatory
  Scenario Outline: EV-3、EV-4 按申报数量核查 / from the declared counts — <case>
    Given a new public_office submission filed on 2024-03-01
    And the submission states declared.parking_spaces = <spaces>
    And the submission states declared.charging_points = <chargers>
    And the submission states declared.fast_charging_points = <fast>
    When the rules are evaluated
    Then rule EV-3 is <ev3>
    And rule EV-4 is <ev4>

    Examples:
      | case                                                  | spaces     | chargers   | fast       | ev3            | ev4            |
      | declared only: 40 spaces, 6 points of which 2 fast    | 40         | 6          | 2          | manual_review  | manual_review  |
      | below the size threshold: no spaces and no points     | 0          | 0          | 0          | not_applicable | not_applicable |
      | size unknown: nothing counted in models or submission | not stated | not stated | not stated | missing_data   | missing_data   |
      | spaces declared only, charging points not             | 40         | not stated | not stated | manual_review  | missing_data   |
      | charging points declared only, fast ones not          | 40         | 6          | not stated | manual_review  | manual_review  |

  @rule:EV-3 @severity:mandatory
  Scenario: EV-3 仅申报的充电桩即使全部计入也不足15% / declared charging points that fall short even if all are counted
    Given a new public_office submission filed on 2024-03-01
    And the models show 40 parking spaces and no charging points
    And the submission states declared.charging_points = 4
    When the rules are evaluated
    Then rule EV-3 is fail
    And rule EV-3 measured 10
    And rule EV-3 explains "does not change the outcome"

  # ---------------------------------------------------------------- EV-4 (mandatory)

  @rule:EV-4 @severity:mandatory
  Scenario Outline: EV-4 快充桩比例≥30% / fast chargers ≥ 30 % of the charging points — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the models show 100 parking spaces and <chargers> charging points of which <fast> are fast
    And <unknown> of the charging points state neither power nor current type
    When the rules are evaluated
    Then rule EV-4 is <status>
    And rule EV-4 measured <share>

    Examples:
      | case                                         | kind     | use           | filed_on   | chargers | fast | unknown | status         | share |
      | 40% fast passes                              | new      | public_office | 2024-03-01 | 20       | 8    | 0       | pass           | 40    |
      | boundary: exactly 30% (6 of 20) passes       | new      | public_sports | 2024-03-01 | 20       | 6    | 0       | pass           | 30    |
      | boundary: just below 30% (29 of 100) fails   | new      | public_health | 2024-03-01 | 100      | 29   | 0       | fail           | 29    |
      | a public garage: 30% fast applies too        | new      | parking       | 2024-03-01 | 20       | 5    | 0       | fail           | 25    |
      | charger power unknown goes to review         | new      | public_office | 2024-03-01 | 20       | 6    | 2       | manual_review  | 30    |
      | below the size threshold: no charging points | new      | public_office | 2024-03-01 | 0        | 0    | 0       | not_applicable | —     |
      | a dwelling is not a public building          | new      | residential   | 2024-03-01 | 20       | 0    | 0       | not_applicable | —     |
      | a retrofit is not covered                    | retrofit | public_office | 2024-03-01 | 20       | 0    | 0       | not_applicable | —     |
      | date: the day before it applies (2022-12-30) | new      | public_office | 2022-12-30 | 20       | 0    | 0       | not_applicable | —     |
      | date: in force from 2022-12-31               | new      | public_office | 2022-12-31 | 20       | 0    | 0       | fail           | 0     |

  @rule:EV-4 @severity:mandatory
  Scenario Outline: EV-4 功率达到 fast_charger_min_kw 的交流桩也计为快充 / an AC charger of at least 60 kW is fast — <case>
    Given a new public_office submission filed on 2024-03-01
    And the models show 100 parking spaces and 10 charging points of which 2 are fast
    And 1 of the charging points is AC at <kw> kW
    When the rules are evaluated
    Then rule EV-4 is <status>
    And rule EV-4 measured <share>

    Examples:
      | case                            | kw | status | share |
      | an AC charger of 60 kW counts   | 60 | pass   | 30    |
      | an AC charger of 59 kW does not | 59 | fail   | 20    |

  # ---------------------------------------------------------------- EV-5 (encouraged)

  @rule:EV-5 @severity:encouraged
  Scenario Outline: EV-5 滨江游船、游艇码头增设岸电 / shore power at new docks — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states measures = <measures>
    When the rules are evaluated
    Then rule EV-5 is <status>
    And rule EV-5 does not block approval

    Examples:
      | case                                           | kind     | use     | filed_on   | measures             | status         |
      | shore power with BIM passes                    | new      | dock    | 2024-03-01 | [shore_power, bim]   | pass           |
      | boundary: shore power (the one measure) passes | new      | dock    | 2024-03-01 | [shore_power]        | pass           |
      | boundary: no shore power fails, never blocks   | new      | dock    | 2024-03-01 | [green_construction] | fail           |
      | measures not stated                            | new      | dock    | 2024-03-01 | not stated           | missing_data   |
      | a car park is not a dock                       | new      | parking | 2024-03-01 | []                   | not_applicable |
      | a retrofit of a dock is not covered            | retrofit | dock    | 2024-03-01 | []                   | not_applicable |
      | date: the day before it applies (2022-12-30)   | new      | dock    | 2022-12-30 | []                   | not_applicable |
      | date: in force from 2022-12-31                 | new      | dock    | 2022-12-31 | []                   | fail           |
