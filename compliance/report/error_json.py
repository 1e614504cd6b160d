"""The JSON error object: what a command that writes JSON writes in its place when it cannot do
what was asked (docs/schemas/error.schema.json). The same message goes to standard error."""

from __future__ import annotations

from typing import Optional


def error_document(kind: str, message: str, *, command: str = "", file: Optional[str] = None,
                   line: Optional[int] = None, hint: Optional[str] = None, message_zh: Optional[str] = None,
                   hint_zh: Optional[str] = None, exit_code: int = 2) -> dict:
    from .versioning import CONTRACTS

    error = {"kind": kind or "error", "message": message or kind or "error", "message_zh": message_zh,
             "file": file, "line": line if line and line > 0 else None, "hint": hint, "hint_zh": hint_zh}
    return CONTRACTS["error"].stamp({"command": command, "exit_code": exit_code, "error": error})


def render_error(**fields) -> bytes:
    """error_document(**fields) as UTF-8 JSON, written as the verdict is (control characters escaped);
    text from submitted files made safe as on the terminal (compliance/safe_text.py)."""
    from ..safe_text import safe_value
    from .json_report import dumps

    return dumps(safe_value(error_document(**fields)))
