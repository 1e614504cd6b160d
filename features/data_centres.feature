@theme:data_centres @version:1
Feature: 数据中心能效 / Data-centre energy efficiency (PUE) — DC-1, DC-2
  杨府发〔2022〕13号 三(二)1：
  "新建数据中心能源利用效率（PUE）不高于1.3，加快既有数据中心升级改造，力争能源利用效率（PUE）不高于1.4。"

  DC-1 (mandatory): a new data centre's design PUE is at most 1.3. DC-2 (target): an existing data
  centre being upgraded aims at 1.4 or less. The PUE is the figure stated as energy.pue in
  submission.yaml; lower is better, so the threshold itself passes and anything above it fails.
  PUE 越低越好：等于限值为合格，高于限值为不合格。

  Background:
    Given the rule set in "rules"

  @rule:DC-1 @severity:mandatory
  Scenario Outline: DC-1 新建数据中心 PUE≤1.3 / new data centres — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.pue = <pue>
    When the rules are evaluated
    Then rule DC-1 is <status>
    And rule DC-1 <blocks> approval

    Examples:
      | case                                          | kind     | use           | filed_on   | pue        | status         | blocks         |
      | PUE 1.25 passes                               | new      | data_centre   | 2024-03-01 | 1.25       | pass           | does not block |
      | boundary: exactly 1.3 passes                  | new      | data_centre   | 2024-03-01 | 1.3        | pass           | does not block |
      | boundary: just above (1.31) fails             | new      | data_centre   | 2024-03-01 | 1.31       | fail           | blocks         |
      | boundary: 1.3001 already fails                | new      | data_centre   | 2024-03-01 | 1.3001     | fail           | blocks         |
      | as filed: 1.30004 is above 1.3 and fails      | new      | data_centre   | 2024-03-01 | 1.30004    | fail           | blocks         |
      | as filed: 1.29996 is below 1.3 and passes     | new      | data_centre   | 2024-03-01 | 1.29996    | pass           | does not block |
      | PUE not stated                                | new      | data_centre   | 2024-03-01 | not stated | missing_data   | blocks         |
      | an upgrade of an existing data centre is DC-2 | retrofit | data_centre   | 2024-03-01 | 1.35       | not_applicable | does not block |
      | an office is not a data centre                | new      | public_office | 2024-03-01 | 1.5        | not_applicable | does not block |
      | date: the day before it applies (2022-12-30)  | new      | data_centre   | 2022-12-30 | 1.5        | not_applicable | does not block |
      | date: in force from 2022-12-31                | new      | data_centre   | 2022-12-31 | 1.5        | fail           | blocks         |

  @rule:DC-2 @severity:target
  Scenario Outline: DC-2 既有数据中心改造力争 PUE≤1.4 / existing data centres being upgraded — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states energy.pue = <pue>
    When the rules are evaluated
    Then rule DC-2 is <status>
    And rule DC-2 does not block approval

    Examples:
      | case                                         | kind     | use           | filed_on   | pue        | status         |
      | PUE 1.35 passes                              | retrofit | data_centre   | 2024-03-01 | 1.35       | pass           |
      | boundary: exactly 1.4 passes                 | retrofit | data_centre   | 2024-03-01 | 1.4        | pass           |
      | boundary: just above (1.41) fails            | retrofit | data_centre   | 2024-03-01 | 1.41       | fail           |
      | PUE not stated                               | retrofit | data_centre   | 2024-03-01 | not stated | missing_data   |
      | a new data centre is DC-1                    | new      | data_centre   | 2024-03-01 | 1.2        | not_applicable |
      | an office retrofit is not a data centre      | retrofit | public_office | 2024-03-01 | 1.8        | not_applicable |
      | date: the day before it applies (2022-12-30) | retrofit | data_centre   | 2022-12-30 | 1.6        | not_applicable |
      | date: in force from 2022-12-31               | retrofit | data_centre   | 2022-12-31 | 1.6        | fail           |

  @rule:DC-1 @severity:mandatory
  Scenario: DC-1 以申报的设计 PUE 计量 / the measured value is the stated design PUE
    Given a new data_centre submission filed on 2024-03-01
    And the submission states energy.pue = 1.2
    When the rules are evaluated
    Then rule DC-1 is pass
    And rule DC-1 measured 1.2

  @rule:DC-1 @severity:mandatory
  Scenario: DC-1 按申报值比较与显示 / the filed PUE is compared and shown exactly as filed
    申报 PUE 1.30004 高于限值 1.3：不得四舍五入为 1.3 而判为合格，结论中也按申报值显示。
    Given a new data_centre submission filed on 2024-03-01
    And the submission states energy.pue = 1.30004
    When the rules are evaluated
    Then rule DC-1 is fail
    And rule DC-1 shows the measured value "1.30004"
