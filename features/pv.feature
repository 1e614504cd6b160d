@theme:pv @version:1
Feature: Rooftop PV area ratio — PV-1 and PV-2 (杨府发〔2022〕13号 三(一)1)
  "2022年起新建政府机关、学校、工业厂房等建筑屋顶安装光伏的面积比例不低于50%；
   其他类型公共建筑屋顶安装光伏的面积比例不低于30%。"

  PV-1: new government offices, schools and industrial plants need PV on at least 50% of
  the roof area; PV-2: other new public buildings need at least 30%. Both compare the PV
  panels' horizontal projected area with the roof's horizontal projected area.

  Background:
    Given the rule set in "rules"

  @rule:PV-1 @severity:mandatory
  Scenario Outline: PV-1 — <case>
    Given a new <use> submission filed on <filed_on>
    And the models show a roof of <roof> m² and PV panels of <pv> m²
    When the rules are evaluated
    Then rule PV-1 is <status>
    And rule PV-2 is not_applicable
    And the overall verdict is <verdict>

    Examples:
      | case                            | use               | filed_on   | roof | pv    | status         | verdict       |
      | school above 50%                | school            | 2024-03-01 | 1000 | 600   | pass           | compliant     |
      | boundary: exactly 50% passes    | school            | 2024-03-01 | 1000 | 500   | pass           | compliant     |
      | just below 50% fails            | government_office | 2024-03-01 | 1000 | 499.9 | fail           | non_compliant |
      | factory with no PV at all fails | industrial_plant  | 2024-03-01 | 800  | 0     | fail           | non_compliant |
      | filed before the plan applies   | school            | 2021-12-31 | 1000 | 0     | not_applicable | compliant     |
      | in force from its first day     | school            | 2022-01-01 | 1000 | 0     | fail           | non_compliant |
      | no roof in the model            | school            | 2024-03-01 | none | 500   | missing_data   | incomplete    |
      | roof without an area quantity   | school            | 2024-03-01 | ?    | 500   | missing_data   | incomplete    |

  @rule:PV-2 @severity:mandatory
  Scenario Outline: PV-2 — <case>
    Given a new <use> submission filed on <filed_on>
    And the models show a roof of <roof> m² and PV panels of <pv> m²
    When the rules are evaluated
    Then rule PV-2 is <status>
    And rule PV-1 is not_applicable
    And the overall verdict is <verdict>

    Examples:
      | case                         | use               | filed_on   | roof | pv    | status       | verdict       |
      | office above 30%             | public_office     | 2024-06-01 | 1000 | 350   | pass         | compliant     |
      | boundary: exactly 30% passes | public_hotel      | 2024-06-01 | 1000 | 300   | pass         | compliant     |
      | just below 30% fails         | commercial_complex| 2024-06-01 | 1000 | 299.9 | fail         | non_compliant |
      | panel without an area        | public_culture    | 2024-06-01 | 1000 | ?     | missing_data | incomplete    |

  @rule:PV-1 @rule:PV-2
  Scenario Outline: neither rule applies — <case>
    Given a <kind> <use> submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 0 m²
    When the rules are evaluated
    Then rule PV-1 is not_applicable
    And rule PV-2 is not_applicable
    And the overall verdict is compliant

    Examples:
      | case                      | kind     | use          |
      | retrofit of a school      | retrofit | school       |
      | retrofit of an office     | retrofit | public_office|
      | new residential building  | new      | residential  |
      | new data centre           | new      | data_centre  |

  @rule:PV-1 @severity:mandatory
  Scenario: a claimed exemption is never a silent pass
    Given a new school submission filed on 2024-03-01
    And the designer claims an exemption from PV-1: "roof reserved for a sports field"
    And the models show a roof of 1000 m² and PV panels of 100 m²
    When the rules are evaluated
    Then rule PV-1 is manual_review
    And the overall verdict is incomplete

  @rule:PV-1 @severity:mandatory
  Scenario: figures a reviewer must confirm go to manual review
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 600 m²
    And the reader flagged the roof's area as uncertain: "area unit not declared"
    When the rules are evaluated
    Then rule PV-1 is manual_review
    And the overall verdict is incomplete

  @rule:PV-1 @severity:mandatory
  Scenario: panels that stand on no roof do not pass as rooftop PV
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 600 m²
    And the PV panels stand on the ground beside the building
    When the rules are evaluated
    Then rule PV-1 is manual_review
    And the overall verdict is incomplete

  @rule:PV-1 @severity:mandatory
  Scenario: panels whose position cannot be checked go to manual review
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 600 m²
    And the models hold no geometry for the PV panels
    When the rules are evaluated
    Then rule PV-1 is manual_review
    And the overall verdict is incomplete

  @rule:PV-1
  Scenario: judged by the rules in force on another date
    Given a new school submission filed on 2024-03-01
    And the models show a roof of 1000 m² and PV panels of 0 m²
    When the rules are evaluated as of 2021-06-30
    Then rule PV-1 is not_applicable
