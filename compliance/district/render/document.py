"""The district dashboard: one Jinja2 template behind both the PDF and the HTML page.

`html(report, lang, medium)` lays a DistrictReport out for print (WeasyPrint: running header and
footer, page X of Y) or for the screen (one self-contained file: inline CSS, charts as data: URIs,
a Content-Security-Policy that allows no script). It reuses the verdict report's stylesheets,
label helpers and autoescaping (submission names and reasons come from submitted files; bidi
controls in them are shown as [U+202E], never obeyed). The figures are formatted here, once, for
the template and the charts alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

from ...report.labels import PROJECT_KIND, VERDICT, check_lang, pick, template_globals, visible_controls

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = "district.html.j2"
STYLE = "district.css"
MAX_ROWS = 60                  # contributing submissions listed per target; the JSON lists them all
UNIT_ZH = {"count": "个", "million m²": "百万平方米", "thousand m²": "千平方米", "level": "级"}
Medium = Literal["print", "screen"]


# --------------------------------------------------------------------------- figures in words

def unit_word(unit: str, lang: str) -> str:
    """A unit as printed after a figure: 'count' is '个' in Chinese and nothing in English."""
    if unit == "count":
        return "" if lang == "en" else "个"
    return UNIT_ZH.get(unit, unit) if lang == "zh" else unit


def number(v: float) -> str:
    """A figure for a reader: fewer decimals the larger it is, no trailing zeros (29, 1.2, 1,800)."""
    a = abs(v)
    s = f"{v:,.{0 if a >= 1000 else 1 if a >= 100 else 2 if a >= 1 else 3}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def amount(x: Optional[float], unit: str, lang: str = "both", scale: float = 1.0) -> str:
    """`x` (in `unit` × `scale`) as shown: '1.2 MW', '1,800 个', '37.5%'; '—' when absent."""
    if x is None:
        return "—"
    s, u = number(x / scale), unit_word(unit, lang)
    return f"{s}%" if unit == "%" else f"{s} {u}" if u else s


def percent(p: float) -> str:
    return "<0.1%" if 0 < p < 0.1 else f"{p:,.1f}%"


def achieved_text(t, lang: str) -> str:
    return amount(t.achieved, t.display_unit, lang, t.display_scale)


def target_text(t, lang: str) -> str:
    return amount(t.target, t.display_unit, lang, t.display_scale)


def state(t, as_of) -> str:
    """met, missed (the period is over and the target not reached) or progress."""
    return "met" if t.met else "missed" if as_of > t.period_end else "progress"


STATE = {"met": ("已达成", "met"), "missed": ("未达成", "missed"), "progress": ("进行中", "in progress")}


def status_words(t, as_of) -> tuple[str, str]:
    """One line (zh, en) for the cover: 'met (104.0% of target)' / '4.1% of target', lower bound said."""
    p = percent(t.progress_pct)
    if t.met:
        zh, en = f"已达成（目标的 {p}）", f"met ({p} of target)"
    else:
        zh, en = f"达到目标的 {p}", f"{p} of target"
    if t.not_counted:
        n = len(t.not_counted)
        if t.measure == "sum":
            zh, en = zh + f"；{n} 个项目未计入，合计为下限", en + f"; {n} not counted, so a lower bound"
        else:
            zh, en = zh + f"；{n} 个项目未计入，比例待定", en + f"; {n} not counted, so provisional"
    return zh, en


# --------------------------------------------------------------------------- the template's view

@dataclass(frozen=True)
class TargetView:
    t: object                  # TargetProgress
    state: str                 # met, missed, progress
    status: tuple[str, str]
    achieved: str
    target: str
    numerator: Optional[str]   # share, ratio, weighted: the parts of the percentage, in their unit
    denominator: Optional[str]
    parts: Optional[tuple[str, str]]   # what the numerator and denominator are (zh, en)
    value_unit: str            # unit of the contributions' value column
    value_head: tuple[str, str]         # the value column's heading (zh, en)
    second_head: Optional[tuple[str, str]]   # the second figure's column (ratio, weighted), or None
    second_unit: str
    rows: tuple                # contributions listed (at most MAX_ROWS)
    more: int                  # contributions not listed
    charts: tuple              # Chart, …


def _parts(t) -> Optional[tuple[str, str]]:
    from ..targets import LABELS

    if t.measure == "share":
        return "符合条件项目之和 / 全部计入项目之和", "qualifying submissions / all counted submissions"
    if t.measure == "ratio":
        a, b = LABELS[t.figure], LABELS[t.over]
        return f"{a.zh}之和 / {b.zh}之和", f"sum of {a.en} / sum of {b.en}"
    if t.measure == "weighted":
        a, b = LABELS[t.figure], LABELS[t.over]
        return f"Σ（{a.zh} × {b.zh}）/ Σ {b.zh}", f"Σ({a.en} × {b.en}) / Σ {b.en}"
    return None


def target_view(t, report, lang: str, charts: tuple = ()) -> TargetView:
    from ..targets import LABELS, UNITS

    value_unit = t.unit if t.measure == "sum" else UNITS.get(t.figure, "")
    part_unit = UNITS.get(t.over, "") if t.measure == "weighted" else value_unit
    parted = t.measure != "sum"
    second = t.over if t.measure in ("ratio", "weighted") else None
    label = LABELS.get(t.figure)
    return TargetView(
        t=t, state=state(t, report.as_of), status=status_words(t, report.as_of),
        achieved=achieved_text(t, lang), target=target_text(t, lang),
        numerator=amount(t.numerator, part_unit, lang) if parted else None,
        denominator=amount(t.denominator, part_unit, lang) if parted else None,
        parts=_parts(t), value_unit=value_unit,
        value_head=(label.zh, label.en) if label and t.figure != "count" else ("数值", "Value"),
        second_head=(LABELS[second].zh, LABELS[second].en) if second else None,
        second_unit=UNITS.get(second, "") if second else "",
        rows=tuple(listed(t.contributions)[:MAX_ROWS]), more=max(0, len(t.contributions) - MAX_ROWS),
        charts=charts)


def use_words(report, use: str) -> tuple[str, str]:
    """A use class by its name (zh, en); its code where the report holds no name for it."""
    label = report.use_labels.get(use)
    return (label.zh, label.en) if label else (use, use)


def listed(contributions) -> list:
    """The order the table lists contributions in: the largest first (then by filing date and id),
    so the rows beyond MAX_ROWS are the smallest."""
    return sorted(contributions, key=lambda c: (-(c.value or 0.0), c.filed_on, c.submission_id))


def stylesheet(medium: Medium) -> str:
    from ...report.document import stylesheet as report_stylesheet

    return report_stylesheet(medium) + "\n" + (TEMPLATES / STYLE).read_text(encoding="utf-8")


def html(report, lang: str = "both", medium: Medium = "print") -> str:
    """The dashboard as HTML for `medium`; `lang` is both (zh first, en beside), zh or en."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    check_lang(lang)
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, finalize=_finalize)
    env.globals.update(template_globals())
    env.globals.update(amount=amount, percent=percent, pick=pick, STATE=STATE, PROJECT_KIND=PROJECT_KIND,
                       VERDICT=VERDICT, use_words=use_words, figure_words=figure_words)
    return env.get_template(TEMPLATE).render(context(report, lang, medium))


def figure_words(figure: str) -> tuple[str, str]:
    from ..targets import LABELS

    label = LABELS.get(figure)
    return (label.zh, label.en) if label else (figure, figure)


def _finalize(value):
    """Applied to every value the template prints, before escaping."""
    return visible_controls(value) if isinstance(value, str) else value


def context(report, lang: str, medium: Medium) -> dict:
    from .charts import cumulative_chart, overview_chart, progress_chart

    views = [target_view(t, report, lang, tuple(c for c in (progress_chart(t, report, lang),
                                                            cumulative_chart(t, report, lang)) if c))
             for t in report.targets]
    verdicts = sorted(report.by_verdict.items(), key=lambda kv: (list(VERDICT).index(kv[0])
                                                                 if kv[0] in VERDICT else 9, kv[0]))
    return dict(r=report, lang=lang, medium=medium, views=views, verdicts=verdicts,
                overview=overview_chart(report, lang), max_rows=MAX_ROWS,
                css=stylesheet(medium) if medium == "screen" else "")


def render_html(report, lang: str = "both") -> bytes:
    """The `html` format: the dashboard as one self-contained web page."""
    return html(report, lang, "screen").encode("utf-8")
