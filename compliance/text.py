"""Bilingual text: every plain-language string the product shows exists in Chinese and English."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Text(BaseModel):
    """A string in both languages the verdict is issued in (zh first: the filing language)."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en
