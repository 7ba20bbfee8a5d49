"""The phone's own phrases (voice/texts.yml) in the caller's language."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Sequence

import yaml

from voice.dialogue import Option

TEXTS = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=None)
def _texts() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(TEXTS.read_text(encoding="utf-8"))


def text(key: str, language: str, **values: object) -> str:
    return _texts()[key][language].format(**values)


def menu(options: Sequence[Option], language: str) -> str:
    """Buttons read out as numbered choices the caller can say or press: "Si eller tast 1 for Ja."."""
    return " ".join(text("option", language, number=n, title=o.title) for n, o in enumerate(options, start=1))
