@theme:construction @version:1
Feature: 绿色建造 / Green construction, BIM, prefabrication, fully-fitted homes — CON-1
  杨府发〔2022〕13号 三(三)1：
  "推行绿色施工，推动建筑信息模型（BIM）等技术应用，大力推进装配式建筑和智能建造融合发展，推行全装修住宅。"

  CON-1 (encouraged): a new building lists at least one of green_construction, bim,
  prefabrication or fully_fitted under measures in submission.yaml. It is reported, never blocks.
  鼓励性条款：列出任一措施即为达标，未达标也不影响审批结论。

  Background:
    Given the rule set in "rules"

  @rule:CON-1 @severity:encouraged
  Scenario Outline: CON-1 绿色施工、BIM、装配式、全装修 / encouraged construction measures — <case>
    Given a <kind> <use> submission filed on <filed_on>
    And the submission states measures = <measures>
    When the rules are evaluated
    Then rule CON-1 is <status>
    And rule CON-1 measured <count>
    And rule CON-1 does not block approval

    Examples:
      | case                                         | kind     | use              | filed_on   | measures              | status         | count |
      | BIM and prefabrication pass                  | new      | residential      | 2024-03-01 | [bim, prefabrication] | pass           | 2     |
      | boundary: exactly one measure passes         | new      | public_office    | 2024-03-01 | [green_construction]  | pass           | 1     |
      | boundary: none of the four (only BIPV) fails | new      | public_office    | 2024-03-01 | [bipv]                | fail           | 0     |
      | nothing adopted fails, never blocks          | new      | industrial_plant | 2024-03-01 | []                    | fail           | 0     |
      | measures not stated                          | new      | residential      | 2024-03-01 | not stated            | missing_data   | —     |
      | a retrofit is not covered                    | retrofit | residential      | 2024-03-01 | [bim]                 | not_applicable | —     |
      | date: the day before it applies (2022-12-30) | new      | residential      | 2022-12-30 | [fully_fitted]        | not_applicable | —     |
      | date: in force from 2022-12-31               | new      | residential      | 2022-12-31 | [fully_fitted]        | pass           | 1     |
