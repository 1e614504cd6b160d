@theme:buildings @version:1
Feature: 楼栋与使用功能 / Buildings and use parts — who a rule concerns
  A submission often holds several buildings (单体), and one building several uses (住宅+底商,
  办公+商业裙房). Every rule is judged per building, on the use parts its applicability admits;
  the rule's own status is the gravest over the buildings. "大型公共建筑" is a single building's
  public floor area (the parameter's own label says 单体): two 12,000 m² buildings are not one large
  public building, and a 25,000 m² commercial podium under housing is one.
  Public institution follows from the use (rules/_settings.yaml): a government office (政府机关) is
  one by definition (《公共机构节能条例》第二条), so a flag saying otherwise is a finding and the
  rules for public institutions apply; a school or hospital usually is one — presumed when the flag
  is not given — and a rule whose outcome the flag decides goes to a reviewer unless both readings
  conform.
  每条规则按楼栋、按其适用的使用功能部分判定；规则的结论取各楼栋中最不利者。大型公共建筑按单体建筑的公共建筑面积认定。
  政府机关依定义属于公共机构；学校、医院通常属于公共机构，申报与之不符时，取决于此的条款由审核人复核。

  Background:
    Given the rule set in "rules"

  @rule:GB-2 @severity:mandatory
  Scenario Outline: GB-2 大型公共建筑按单体认定 / a large public building is a single building — <case>
    Given a new public_commercial submission filed on 2024-03-01
    And the project is in zone <zone>
    And the submission has a building "A" of <a> m² used as <use_a>
    And building "A" also has <a2> m² used as <use_a2>
    And the submission has a building "B" of <b> m² used as public_commercial
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = 沪绿建〔2024〕001号
    When the rules are evaluated
    Then rule GB-2 is <status_a> for building "A"
    And rule GB-2 is <status_b> for building "B"
    And rule GB-2 is <status>

    Examples:
      | case                                                           | zone           | a     | use_a       | a2    | use_a2            | b     | status_a       | status_b       | status         |
      | two 12,000 m² buildings are not one large public building      | xinjiangwan    | 11000 | public_commercial | 1000  | public_office | 12000 | not_applicable | not_applicable | not_applicable |
      | a 25,000 m² commercial podium under housing is one             | binjiang_south | 40000 | residential | 25000 | public_commercial | 5000  | fail           | not_applicable | fail           |
      | boundary: a 20,000 m² podium under housing is one              | binjiang_south | 40000 | residential | 20000 | public_commercial | 5000  | fail           | not_applicable | fail           |
      | boundary: a 19,999 m² podium under housing is not              | binjiang_south | 40000 | residential | 19999 | public_commercial | 5000  | not_applicable | not_applicable | not_applicable |
      | office 12,000 m² and shops 10,000 m² in one building add up    | xinjiangwan    | 12000 | public_office | 10000 | public_commercial | 5000  | fail           | not_applicable | fail           |

  @rule:GB-3 @severity:mandatory
  Scenario: GB-3 政府机关申报为非公共机构：列为问题，仍按公共机构适用 / a government office flagged "not a public institution" is one
    Given a new government_office submission filed on 2024-03-01
    And the project is not a public institution
    And the submission states green_building.claimed = 1-star
    And the submission states green_building.certificate = 沪绿建〔2024〕002号
    When the rules are evaluated
    Then rule GB-3 is fail
    And the submission has a finding "metadata.public_institution_contradicts"

  @rule:GB-3 @severity:mandatory
  Scenario: GB-3 政府机关未申报是否为公共机构：依用途认定 / a government office that does not say is one
    Given a new government_office submission filed on 2024-03-01
    And the project does not state whether it is a public institution
    And the submission states green_building.claimed = 2-star
    And the submission states green_building.certificate = 沪绿建〔2024〕003号
    When the rules are evaluated
    Then rule GB-3 is pass
    And the submission has no finding "metadata.public_institution_contradicts"

  @rule:PV-3 @severity:target
  Scenario Outline: PV-3 学校是否为公共机构存疑 / whether a school is a public institution decides PV-3 only where the readings differ — <case>
    Given a retrofit school submission filed on 2024-03-01
    And <flag>
    And the models show a roof of 1000 m² and PV panels of <pv> m²
    When the rules are evaluated
    Then rule PV-3 is <status>
    And the submission has <finding> "metadata.public_institution_doubt"

    Examples:
      | case                                                        | flag                                                        | pv  | status         | finding    |
      | flagged private, 30 %: a public school would fail           | the project is not a public institution                     | 300 | manual_review  | a finding  |
      | flagged private, 60 %: passes either way, so decided        | the project is not a public institution                     | 600 | not_applicable | a finding  |
      | not stated, 30 %: presumed public, but a private one is not covered | the project does not state whether it is a public institution | 300 | manual_review  | a finding  |
      | stated public, 30 %: fails                                  | the project is a public institution                         | 300 | fail           | no finding |

  @rule:GB-1 @severity:mandatory
  Scenario: GB-1 各楼栋分别判定，结论取最不利者 / each building on its own; the rule takes the gravest
    Given a new residential submission filed on 2024-03-01
    And the submission has a building "H1" of 18000 m² used as residential
    And the submission has a building "H2" of 9000 m² used as residential
    And building "H2" also has 1000 m² used as public_commercial
    And the submission states green_building.claimed = basic
    And the submission states green_building.certificate = 沪绿建〔2024〕004号
    When the rules are evaluated
    Then rule GB-1 is pass for building "H1"
    And rule GB-1 is pass for building "H2"
    And rule GB-1 is pass
