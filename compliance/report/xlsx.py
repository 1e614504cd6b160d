"""Excel workbook for reviewers who track findings in a spreadsheet.

Sheets: Summary (identity, verdict, counts, inputs with SHA-256), Results (one row per rule),
Findings (one row per finding and per element it cites, with empty reviewer columns), Notes
(every reader note and finding) and Models (model headers and element counts per IFC class).

Text from submitted files is hostile until proven otherwise: every string is written as a
string cell (never a formula, however it starts; a quote prefix keeps it text when a reviewer
edits it), XML-illegal characters are dropped and text beyond Excel's cell limit is cut with a
marker. The same verdict gives the same bytes: the document dates are the verdict's
`generated_at` and so are the zip entries' timestamps.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Optional

from .archive import restamp_zip
from .labels import (
    OPS,
    PROJECT_KIND,
    VERDICT,
    check_lang,
    falls_short,
    measured_vs_required,
    note_text,
    pick,
    say,
    status_counts,
    status_label,
    status_tone,
    utc,
    visible_controls,
)

MAX_CELL = 32_767                       # Excel's limit, in UTF-16 code units
TRUNCATED = " …[已截断 truncated: {n:,} characters in all]"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

FINDING_STATUSES = ("fail", "missing_data", "manual_review")
FINDING_SEVERITIES = ("warning", "uncertain")
SEVERITY = {"info": ("提示", "info"), "warning": ("警告", "warning"), "uncertain": ("存疑", "uncertain")}
YES_NO = {True: ("是", "yes"), False: ("否", "no")}
SOURCE = {"rule": ("规则", "rule"), "note": ("读取说明", "note")}
ROLE = {"metadata": ("申报信息", "metadata"), "model": ("模型", "model")}

_GREEN, _RED, _AMBER, _BLUE, _GREY = "C6EFCE", "FFC7CE", "FFEB9C", "BDD7EE", "EDEDED"
_SOFT = "EAF1F8"                 # a fail that does not affect the verdict: not taken up, not counted
TONES = {"pass": _GREEN, "fail": _RED, "missing_data": _AMBER, "manual_review": _BLUE, "not_applicable": _GREY,
         "not_taken_up": _SOFT,
         "compliant": _GREEN, "non_compliant": _RED, "incomplete": _AMBER, "warning": _AMBER, "uncertain": _BLUE}
HEADER_FILL = "D9E1F2"

SHEETS = {"summary": ("汇总", "Summary"), "results": ("规则结果", "Results"), "findings": ("问题清单", "Findings"),
          "notes": ("读取说明", "Notes"), "models": ("模型", "Models")}


@dataclass(frozen=True)
class Col:
    """One column: the row key it shows, its header (zh, en), width in characters, and how to show it."""

    key: str
    zh: str
    en: str
    width: int = 14
    wrap: bool = False
    tone: bool = False              # fill the cell by the row's "_tone" (a status, verdict or severity)
    fmt: Optional[str] = None       # number format


def _lbl(pair, lang: str, sep: str = " ") -> str:
    return pick(pair[0], pair[1], lang, sep)


def _pair(zh: Optional[str], en: Optional[str], lang: str) -> str:
    return _lbl((zh or en or "", en or zh or ""), lang, "\n")


# ---------------------------------------------------------------- cell safety

def clean_text(value: str) -> str:
    """Drop XML-illegal characters; cut text longer than Excel's cell limit, with a marker."""
    text = visible_controls(_ILLEGAL.sub("", value))
    encoded = text.encode("utf-16-le", "surrogatepass")
    if len(encoded) // 2 <= MAX_CELL:
        return text
    marker = TRUNCATED.format(n=len(text))
    budget = MAX_CELL - len(marker)
    return encoded[: budget * 2].decode("utf-16-le", "ignore") + marker


def _put(cell, value: Any) -> None:
    """Store a value: strings always as text (never a formula or an error code), numbers as numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        value = str(value)
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.data_type = "s"          # openpyxl would make '=…' a formula and '#N/A' an error
        if text.startswith(_FORMULA_START):
            cell.quotePrefix = True   # and Excel keeps it text when a reviewer edits the cell
    else:
        cell.value = value
        if isinstance(value, date) and not isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd"


def sheet_title(name: str) -> str:
    """A legal sheet name: at most 31 characters, none of []:*?/\\ ."""
    return _SHEET_FORBIDDEN.sub("_", _ILLEGAL.sub("", name)).strip("'")[:31] or "Sheet"


# ---------------------------------------------------------------- table writer

def _table(ws, cols: list[Col], rows: list[dict], lang: str, top: int = 1) -> int:
    """Write a header row at `top` and the rows under it; returns the last row written."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    head_fill = PatternFill("solid", fgColor=HEADER_FILL)
    for j, col in enumerate(cols, 1):
        cell = ws.cell(row=top, column=j)
        _put(cell, _lbl((col.zh, col.en), lang))
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, col.width)
    for i, row in enumerate(rows, top + 1):
        for j, col in enumerate(cols, 1):
            cell = ws.cell(row=i, column=j)
            _put(cell, row.get(col.key))
            cell.alignment = Alignment(wrap_text=col.wrap, vertical="top")
            if col.fmt:
                cell.number_format = col.fmt
            tone = TONES.get(row.get("_tone") or "") if col.tone else None
            if tone:
                cell.fill = PatternFill("solid", fgColor=tone)
    return top + len(rows)


def _sheet(wb, key: str, cols: list[Col], rows: list[dict], lang: str):
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet_title(_lbl(SHEETS[key], lang)))
    last = _table(ws, cols, rows, lang)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(last, 1)}"
    return ws


# ---------------------------------------------------------------- Summary

SUMMARY_COLS = [Col("item", "项目", "Item", 28), Col("value", "内容", "Value", 60, wrap=True, tone=True)]
INPUT_COLS = [Col("role", "类型", "Role", 28), Col("file", "文件", "File", 60, wrap=True),
              Col("size", "大小（字节）", "Size (bytes)", 16, fmt="#,##0"), Col("sha256", "SHA-256", "SHA-256", 68)]


def summary_rows(v, lang: str) -> list[dict]:
    s = v.submission

    def item(zh: str, en: str, value, tone: Optional[str] = None) -> dict:
        return {"item": _lbl((zh, en), lang), "value": value, "_tone": tone}

    return [
        item("申报编号", "Submission id", s.id),
        item("项目名称", "Project name", s.name),
        item("英文名称", "Name in English", s.name_en),
        item("申报单位", "Applicant", s.applicant),
        item("项目类型", "Kind", _lbl(PROJECT_KIND.get(s.kind, (s.kind, s.kind)), lang)),
        item("建筑用途", "Use", say(s.use_label, lang) if s.use_label else s.use),
        item("所在区域", "Zone", say(s.zone_label, lang) if s.zone_label else s.zone),
        item("公共机构", "Public institution", _lbl(YES_NO[s.public_institution], lang)),
        item("总建筑面积（m²）", "Gross floor area (m²)", s.gross_floor_area_m2),
        item("申报日期", "Filed on", s.filed_on),
        item("判定基准日", "Judged as of", v.as_of),
        item("总体结论", "Overall verdict", _lbl(VERDICT[v.verdict][:2], lang), v.verdict),
        item("结论说明", "What the verdict means", _pair(*VERDICT[v.verdict][2:], lang)),
        *(item(f"规则数：{zh}", f"Rules: {en}", n, tone) for tone, zh, en, n in status_counts(v)),
        item("规则集", "Rule set", say(v.ruleset_name, lang, "\n")),
        item("规则集版本", "Rule-set version", v.rules_label()),
        item("工具版本", "Tool version", v.tool_version),
        item("生成时间", "Generated at", utc(v.generated_at)),
    ]


def input_rows(v, lang: str) -> list[dict]:
    return [{"role": _lbl(ROLE.get(f.role, (f.role, f.role)), lang), "file": f.file, "size": f.size_bytes,
             "sha256": f.sha256} for f in v.inputs]


def _summary(wb, v, lang: str) -> None:
    ws = _sheet(wb, "summary", SUMMARY_COLS, summary_rows(v, lang), lang)
    _table(ws, INPUT_COLS, input_rows(v, lang), lang, top=ws.max_row + 2)


# ---------------------------------------------------------------- Results

RESULT_COLS = [
    Col("rule", "规则", "Rule", 11), Col("title", "标题", "Title", 40, wrap=True), Col("kind", "类别", "Kind", 12),
    Col("blocks", "影响结论", "Affects verdict", 10), Col("status", "结论", "Status", 16, tone=True),
    Col("measured", "核查值", "Measured", 12), Col("operator", "比较", "Operator", 8),
    Col("threshold", "要求值", "Threshold", 12), Col("unit", "单位", "Unit", 8),
    Col("versus", "核查值与要求", "Measured vs required", 28, wrap=True), Col("clause", "条款", "Clause", 12),
    Col("document", "文件", "Document", 24, wrap=True), Col("message", "说明", "Message", 60, wrap=True),
    Col("reasons", "原因", "Reasons", 48, wrap=True), Col("remedy", "整改建议", "Remedy", 48, wrap=True),
]


def _reasons(r, lang: str) -> str:
    return "\n".join(say(x, lang, "\n") for x in r.reasons)


def _versus(r, lang: str) -> str:
    if lang != "both":
        return measured_vs_required(r, lang)
    return _pair(measured_vs_required(r, "zh"), measured_vs_required(r, "en"), lang)


def result_rows(v, lang: str) -> list[dict]:
    return [{
        "rule": r.rule_version, "title": say(r.title, lang, "\n"), "kind": say(r.kind_label, lang, " "),
        "blocks": _lbl(YES_NO[r.blocks], lang), "status": _lbl(status_label(r), lang), "_tone": status_tone(r),
        "measured": r.measured, "operator": OPS.get(r.operator, r.operator), "threshold": r.threshold,
        "unit": r.unit, "versus": _versus(r, lang), "clause": r.clause.ref, "document": r.clause.document,
        "message": _pair(r.message_zh, r.message, lang), "reasons": _reasons(r, lang),
        "remedy": say(r.remedy, lang, "\n") if r.remedy else None,
    } for r in v.results]


# ---------------------------------------------------------------- Findings and Notes

FINDING_COLS = [
    Col("key", "编号", "Finding", 14), Col("source", "来源", "Source", 10),
    Col("status", "结论/级别", "Status", 16, tone=True), Col("blocks", "影响结论", "Affects verdict", 10),
    Col("message", "说明", "Message", 60, wrap=True), Col("reasons", "原因", "Reasons", 40, wrap=True),
    Col("remedy", "整改建议", "Remedy", 40, wrap=True), Col("global_id", "GlobalId", "GlobalId", 25),
    Col("ifc_class", "IFC 类", "IFC class", 20), Col("name", "构件名称", "Element name", 28, wrap=True),
    Col("storey", "楼层", "Storey", 12), Col("file", "文件", "File", 24), Col("line", "行", "Line", 7),
    Col("metadata", "申报信息位置", "Metadata (file:line fields)", 32, wrap=True),
    Col("evidence", "依据", "Evidence", 32, wrap=True),
    Col("review", "复核状态", "Reviewer status", 14), Col("comment", "复核意见", "Comment", 40, wrap=True),
]
NOTE_COLS = [
    Col("key", "编号", "Key", 14), Col("code", "代码", "Code", 26), Col("severity", "级别", "Severity", 14, tone=True),
    Col("file", "文件", "File", 24), Col("line", "行", "Line", 7), Col("message", "说明", "Message", 70, wrap=True),
    Col("global_ids", "GlobalIds", "GlobalIds", 30, wrap=True),
]


def note_keys(notes) -> list[str]:
    """A stable key per note: its code, numbered (code#1, code#2 …) when the code repeats."""
    total: dict[str, int] = {}
    for n in notes:
        total[n.code] = total.get(n.code, 0) + 1
    seen: dict[str, int] = {}
    keys = []
    for n in notes:
        seen[n.code] = seen.get(n.code, 0) + 1
        keys.append(n.code if total[n.code] == 1 else f"{n.code}#{seen[n.code]}")
    return keys


def _where(file: str, line: Optional[int], fields=()) -> str:
    return (f"{file}:{line}" if line else file) + (f" {', '.join(fields)}" if fields else "")


def _element_rows(v, base: dict, cited: dict[str, tuple[str, Optional[str]]]) -> list[dict]:
    """One row per cited element (GlobalId -> (file, evidence detail)); one bare row when none."""
    if not cited:
        return [base]
    rows, index = [], v.element_index()
    for gid, (file, detail) in cited.items():
        e = v.element(gid, index)
        rows.append({**base, "global_id": gid, "ifc_class": e.ifc_class, "name": e.name, "storey": e.storey,
                     "file": e.file or file, "line": None, "evidence": detail})
    return rows


def _result_findings(v, r, lang: str) -> list[dict]:
    cited: dict[str, tuple[str, Optional[str]]] = {}
    meta = [e for e in r.evidence if e.source == "metadata"]
    for e in r.evidence:
        for gid in e.global_ids:
            cited.setdefault(gid, (e.file, e.detail))
    base = {"key": r.rule, "source": _lbl(SOURCE["rule"], lang), "status": _lbl(status_label(r), lang),
            "_tone": status_tone(r), "blocks": _lbl(YES_NO[r.blocks], lang), "message": _pair(r.message_zh, r.message, lang),
            "reasons": _reasons(r, lang), "remedy": say(r.remedy, lang, "\n") if r.remedy else None,
            "file": meta[0].file if meta else None, "line": meta[0].line if meta else None,
            "metadata": "\n".join(_where(e.file, e.line, e.fields) for e in meta) or None,
            "evidence": "\n".join(e.detail for e in meta if e.detail) or None}
    return _element_rows(v, base, cited)


def _note_findings(v, n, key: str, lang: str) -> list[dict]:
    base = {"key": key, "source": _lbl(SOURCE["note"], lang), "status": _lbl(SEVERITY[n.severity], lang),
            "_tone": n.severity, "message": note_text(n, lang, "\n"), "file": n.file, "line": n.line,
            "metadata": _where(n.file, n.line) if n.line else None}
    return _element_rows(v, base, {gid: (n.file, None) for gid in n.global_ids})


def finding_rows(v, lang: str) -> list[dict]:
    rows = [row for r in v.results if r.status in FINDING_STATUSES and (r.blocks or falls_short(r))   # not a
            for row in _result_findings(v, r, lang)]                                          # tally's 不计入
    for n, key in zip(v.notes, note_keys(v.notes)):
        if n.severity in FINDING_SEVERITIES:
            rows += _note_findings(v, n, key, lang)
    return rows


def note_rows(v, lang: str) -> list[dict]:
    return [{"key": key, "code": n.code, "severity": _lbl(SEVERITY[n.severity], lang), "_tone": n.severity,
             "file": n.file, "line": n.line, "message": note_text(n, lang, "\n"),
             "global_ids": ", ".join(n.global_ids) or None} for n, key in zip(v.notes, note_keys(v.notes))]


# ---------------------------------------------------------------- Models

MODEL_COLS = [
    Col("file", "文件", "File", 24), Col("schema", "IFC 版本", "Schema", 10),
    Col("application", "创建软件", "Authoring application", 28, wrap=True),
    Col("size", "大小（字节）", "Size (bytes)", 14, fmt="#,##0"), Col("sha256", "SHA-256", "SHA-256", 68),
    Col("entities", "实体数", "Entities", 10, fmt="#,##0"), Col("length_unit", "长度单位（m）", "Length unit (m)", 12),
    Col("area_unit", "面积单位（m²）", "Area unit (m²)", 12), Col("power_unit", "功率单位（W）", "Power unit (W)", 12),
]


def ifc_classes(v) -> list[str]:
    """Every IFC class counted in any model, most frequent first."""
    total: dict[str, int] = {}
    for m in v.models:
        for cls, n in m.element_counts.items():
            total[cls] = total.get(cls, 0) + n
    return sorted(total, key=lambda c: (-total[c], c))


def model_cols(v) -> list[Col]:
    return MODEL_COLS + [Col(f"class:{c}", c, c, max(10, len(c) + 2), fmt="#,##0") for c in ifc_classes(v)]


def model_rows(v, lang: str) -> list[dict]:
    return [{"file": m.file, "schema": m.schema_name, "application": m.application, "size": m.size_bytes,
             "sha256": m.sha256, "entities": m.entity_count, "length_unit": m.length_unit_m,
             "area_unit": m.area_unit_m2, "power_unit": m.power_unit_w,
             **{f"class:{c}": m.element_counts.get(c, 0) for c in ifc_classes(v)}} for m in v.models]


# ---------------------------------------------------------------- workbook

def _properties(wb, v) -> None:
    when = v.generated_at
    when = when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when
    props = wb.properties
    props.title = clean_text(f"碳达峰合规核查结论 Compliance verdict {v.submission.id}")[:255]
    props.subject = clean_text(v.submission.name)[:255]
    props.creator = props.lastModifiedBy = f"compliance {v.tool_version}"
    props.created = props.modified = when


def build(verdict, lang: str = "both"):
    """The openpyxl Workbook (unsaved)."""
    from openpyxl import Workbook

    check_lang(lang)
    wb = Workbook()
    wb.remove(wb.active)
    _summary(wb, verdict, lang)
    _sheet(wb, "results", RESULT_COLS, result_rows(verdict, lang), lang)
    _sheet(wb, "findings", FINDING_COLS, finding_rows(verdict, lang), lang)
    _sheet(wb, "notes", NOTE_COLS, note_rows(verdict, lang), lang)
    _sheet(wb, "models", model_cols(verdict), model_rows(verdict, lang), lang)
    _properties(wb, verdict)
    return wb


def render(verdict, lang: str = "both") -> bytes:
    from openpyxl.writer.excel import ExcelWriter

    wb = build(verdict, lang)
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED)).save()   # keeps our `modified`
    return restamp_zip(buf.getvalue(), wb.properties.created)
