"""User-facing errors: one clear message naming the file (and line), and what to do."""

from __future__ import annotations

from pathlib import Path


class ComplianceError(Exception):
    """An error the user can act on. The CLI prints it as one message and exits with 2."""

    kind = "error"

    def __init__(self, message: str, *, file: str | Path | None = None,
                 line: int | None = None, hint: str | None = None, message_zh: str | None = None,
                 hint_zh: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint
        self.message_zh = message_zh        # the same in Chinese, where the page shows both languages
        self.hint_zh = hint_zh

    def location(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} — {self.hint}" if self.hint else text


class InputError(ComplianceError):
    """A submission (metadata or model) that cannot be read."""

    kind = "input error"


class RuleFileError(ComplianceError):
    """A rule, parameter or vocabulary file that is invalid."""

    kind = "rule file error"


class EngineError(ComplianceError):
    """The rule engine did not produce exactly one outcome per rule: never reported as a pass."""

    kind = "engine error"
