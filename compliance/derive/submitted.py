"""Notes about the submission file itself: how it was read, and the date it is judged on.

A judging date before any rule takes effect makes every rule 'not applicable' and the verdict
'compliant'. Submissions filed shortly before the plan are real (the district counts what was
filed from 2021 on): they get their verdict, and a note says that no rule was in force. A date
years before that is a typo, and a typo must not turn into a 'compliant': refused
(`check_dates`). A date after today is a self-check against rules not yet in force: allowed,
and said; one decades ahead is refused.
"""

from __future__ import annotations

from datetime import date

from ..errors import InputError
from ..read.records import Note, note

FAR_FUTURE_YEARS = 10           # beyond this a filing date is a typo, not a plan
FAR_PAST_YEARS = 5              # before the first rule by more than this: a typo, not a filing


def check_dates(loaded, when: date, first_in_force: date | None, as_of_given: bool, today: date) -> None:
    """Refuse a judging date no rule could apply on, or one too far ahead to be meant."""
    where = {} if as_of_given else {"file": loaded.metadata_file, "line": loaded.line_of("filed_on")}
    what = f"--as-of {when}" if as_of_given else f"filed_on {when}"
    fix = "give another --as-of date" if as_of_given else "correct filed_on"
    if first_in_force is not None and when.year < first_in_force.year - FAR_PAST_YEARS and not as_of_given:
        raise InputError(f"{what} is more than {FAR_PAST_YEARS} years before any rule of this rule set takes "
                         f"effect ({first_in_force}): every rule would be 'not applicable', so no verdict is "
                         "issued", **where, hint=f"{fix}: it looks like a typo")
    if when.year > today.year + FAR_FUTURE_YEARS:
        raise InputError(f"{what} is more than {FAR_FUTURE_YEARS} years after today ({today})", **where,
                         hint=f"{fix}: it looks like a typo")


def metadata_notes(loaded, when: date, today: date, first_in_force: date | None = None,
                   as_of_given: bool = False) -> list[Note]:
    """What the reviewer should know about submission.yaml itself, and the date it is judged on."""
    file, out = loaded.metadata_file.name, []
    if first_in_force is not None and when < first_in_force:
        out.append(note("metadata.before_rules", file,
                        f"judged as of {when}, before any rule of this rule set takes effect ({first_in_force}): "
                        "no rule applies on that date, so this verdict checks nothing",
                        f"按 {when} 核查，早于本规则集任何规则的生效日期（{first_in_force}）：该日无适用规则，"
                        "本结论未核查任何要求", line=None if as_of_given else loaded.line_of("filed_on")))
    if loaded.encoding not in ("UTF-8", "UTF-16"):
        out.append(note("metadata.encoding", file,
                        f"{file} was saved as {loaded.encoding} (a Chinese Windows editor's encoding), not "
                        "UTF-8; it was read as such: check the names in this verdict and save it as UTF-8",
                        f"{file} 以 {loaded.encoding} 编码保存（非 UTF-8），已按此编码读取；"
                        "请核对本结论中的名称，并将文件另存为 UTF-8", severity="info", line=1))
    if when > today:
        out.append(note("metadata.future_date", file,
                        f"judged by the rules in force on {when}, after today ({today}): a self-check "
                        "against rules not yet in force, not a verdict on a filed submission",
                        f"按 {when}（晚于今日 {today}）生效的规则核查：仅为对尚未生效规则的自查，"
                        "不作为已申报项目的核查结论", line=loaded.line_of("filed_on")))
    return out


def duplicate_model_notes(models, file: str) -> list[Note]:
    """Two listed models with the same content: elements are counted once (by GlobalId), but a
    reviewer should know the submission lists one model under two names."""
    by_hash: dict[str, list[str]] = {}
    for m in models:
        by_hash.setdefault(m.info.sha256, []).append(m.info.file)
    return [note("metadata.same_model_twice", file,
                 f"{' and '.join(names)} are the same file (identical SHA-256): its elements are counted once",
                 f"{' 与 '.join(names)} 为同一文件（SHA-256 相同）：其构件仅计一次", severity="info")
            for names in by_hash.values() if len(names) > 1]
