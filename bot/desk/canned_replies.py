"""Canned replies: the answers agents give again and again, per language, inserted in the reply box with a shortcut.

They are kept in YAML so a supervisor can read and change them as a file; the desk reads the file
anew when it changed, and supervisors' changes made at the desk are written to the same file
(atomically, so an agent never reads half a file). The first time, the shipped
bot/desk/canned_replies.yml is copied there.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import yaml

from bot.channels.validation import has_control_characters

SHIPPED = Path(__file__).with_name("canned_replies.yml")
LANGUAGES = ("nb", "sv")
MAX_REPLIES = 200
MAX_TITLE_CHARACTERS = 80
MAX_TEXT_CHARACTERS = 4000  # what one agent message may hold (agent_api.MAX_TEXT_CHARACTERS)
SHORTCUT = re.compile(r"^[a-z0-9æøåäö_-]{1,30}$")


class InvalidReplies(ValueError):
    """A list a supervisor sent that the desk will not store (the message says which entry and why)."""


@dataclass(frozen=True)
class CannedReply:
    shortcut: str
    title: str
    text: str


class CannedReplies:
    """The replies in `path`, cached until the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: Tuple[float, Dict[str, List[CannedReply]]] = (-1.0, {})

    def all(self) -> Dict[str, List[Dict[str, str]]]:
        """{"nb": [{"shortcut", "title", "text"}, ...], "sv": [...]}."""
        return {language: [asdict(reply) for reply in replies] for language, replies in self._read().items()}

    def replace(self, language: str, entries: Any) -> List[Dict[str, str]]:
        """Stores `entries` as the replies of `language`; the other language's are kept as they are."""
        if language not in LANGUAGES:
            raise InvalidReplies(f"no such language: {language!r} (one of {', '.join(LANGUAGES)})")
        replies = validated(entries)
        everything = {**self._read(), language: replies}
        raw = {code: [asdict(reply) for reply in everything.get(code, [])] for code in LANGUAGES}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.path.parent, delete=False) as file:
            yaml.safe_dump(raw, file, allow_unicode=True, sort_keys=False, width=120)
        os.replace(file.name, self.path)
        return [asdict(reply) for reply in replies]

    def _read(self) -> Dict[str, List[CannedReply]]:
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SHIPPED, self.path)
        changed = self.path.stat().st_mtime
        if changed != self._cache[0]:
            raw = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
            self._cache = (changed, {language: validated(raw.get(language) or []) for language in LANGUAGES})
        return self._cache[1]


def validated(entries: Any) -> List[CannedReply]:
    """The entries as replies, or InvalidReplies: shortcuts are unique words, texts fit one message."""
    if not isinstance(entries, Sequence) or isinstance(entries, (str, bytes)):
        raise InvalidReplies("a list of replies, each {shortcut, title, text}")
    if len(entries) > MAX_REPLIES:
        raise InvalidReplies(f"at most {MAX_REPLIES} replies per language")
    replies: List[CannedReply] = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InvalidReplies(f"reply {number}: an object with shortcut, title and text")
        shortcut = str(entry.get("shortcut") or "").strip().lower()
        title, text = (str(entry.get(name) or "").strip() for name in ("title", "text"))
        if not SHORTCUT.match(shortcut):
            raise InvalidReplies(f"reply {number}: a shortcut of 1-30 letters, digits, - or _")
        if any(reply.shortcut == shortcut for reply in replies):
            raise InvalidReplies(f"reply {number}: the shortcut {shortcut!r} is taken")
        if not text or len(text) > MAX_TEXT_CHARACTERS or len(title) > MAX_TITLE_CHARACTERS:
            raise InvalidReplies(f"reply {number}: a text of 1-{MAX_TEXT_CHARACTERS} characters, a title of at most "
                                 f"{MAX_TITLE_CHARACTERS}")  # fmt: skip
        if has_control_characters(text) or has_control_characters(title):
            raise InvalidReplies(f"reply {number}: no control characters other than line breaks")
        replies.append(CannedReply(shortcut, title or shortcut, text))
    return replies
