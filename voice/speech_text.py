"""The chat bot's written answers turned into what a voice should say.

espeak-ng reads numbers well but not our writing: "kl. 14:30" comes out as "k l fjorten
tretti", "08–20" as "null åtte tjue", a tracking number as seven hundred million-odd, Swedish
"1 december" as "ett december", and it spells out URLs and markdown. Each step below
rewrites one kind of writing into words (or plain numbers espeak reads correctly), in an
order where a later step never sees what an earlier one already turned into words.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import yaml

from bot.identifiers.contact import find_phone_numbers, normalise_phone
from voice.spoken import UnknownLanguage, lexicon
from voice.spoken.entities import read_back

WORDS = Path(__file__).with_name("speech_words.yml")

_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_URL = re.compile(r"(?:https?://|www\.)\S*[^\s.,;:!?)]")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]*", re.MULTILINE)
_BULLET = re.compile(r"^[ \t]*[-*+•][ \t]+", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_INVISIBLE = {"\u200d", "\ufe0f"}  # emoji joiner and presentation selector
_SENTENCE_END = (".", "!", "?", ":", ";", ",")

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DOTTED_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(\d{4})(?!\d)")
# S10 with or without spaces, or ten or more digits in groups: read as a code, not as a quantity
_CODE = re.compile(
    r"(?<![\w+])(?:[A-Za-z]{2}[ -]?\d{3}[ -]?\d{3}[ -]?\d{3}[ -]?[A-Za-z]{2}|\d(?:[ -]?\d){9,21})(?!\w)"
)
_MONEY = re.compile(r"(?<![\d,.])(\d{1,3}(?:[ \u00a0.]\d{3})+|\d+)(?:,(\d{2}|-))?[ \u00a0]?(?:kr|NOK|SEK)(?!\w)")
_RANGE = re.compile(r"(?<![\d:.,])(\d+(?::\d{2})?)[ \u00a0]*[–—-][ \u00a0]*(\d+(?::\d{2})?)(?![\d:])")
_WORD_RANGE = re.compile(r"(?<=\w)[–—](?=\w)")  # "mandag–fredag"; a spaced dash is a pause, not a range
_TIME = re.compile(r"(?<![\d:.,])([01]?\d|2[0-4]):([0-5]\d)(?![\d:])")


def for_speech(text: str, language: str) -> str:
    """``text`` as it should sound in ``language`` ("nb" or "sv")."""
    _words(language)  # an unknown language fails here, naming the languages there are words for
    for step in _STEPS:
        text = step(text, language)
    return text


@lru_cache(maxsize=None)
def _all_words() -> Dict[str, Dict[str, Any]]:
    return yaml.safe_load(WORDS.read_text(encoding="utf-8"))


def _words(language: str) -> Dict[str, Any]:
    words = _all_words()
    if language not in words:
        raise UnknownLanguage(language, words, WORDS)
    return words[language]


def _markdown(text: str, language: str) -> str:
    """Links keep their title, URLs go (nobody can note one down from a voice), lines become sentences."""
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _BULLET.sub("", _HEADING.sub("", text))
    text = _EMPHASIS.sub(r"\2", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    sentences = [line if line.endswith(_SENTENCE_END) else f"{line}." for line in lines[:-1]]
    return " ".join(sentences + lines[-1:])


def _emoji(text: str, language: str) -> str:
    return "".join(c for c in text if c not in _INVISIBLE and not _is_emoji(c))


def _is_emoji(char: str) -> bool:
    """Symbols ("So"), and modifiers outside ASCII such as skin tones; espeak reads them by their names."""
    category = unicodedata.category(char)
    return category == "So" or (category == "Sk" and not char.isascii())


def _dates(text: str, language: str) -> str:
    """Dates become ordinal and month: "1.12.2026", "1. desember" / "1 december" -> "første desember (2026)"."""
    text = _ISO_DATE.sub(lambda m: _say_date(m, language, int(m[3]), int(m[2]), m[1]), text)
    text = _DOTTED_DATE.sub(lambda m: _say_date(m, language, int(m[1]), int(m[2]), m[3]), text)
    months = lexicon(language).month_words
    worded = re.compile(rf"(?<![\d.])(\d{{1,2}})\.?[ \u00a0]+({'|'.join(months)})\b", re.IGNORECASE)
    return worded.sub(lambda m: _say_date(m, language, int(m[1]), months.index(m[2].lower()) + 1, None), text)


def _say_date(match: re.Match, language: str, day: int, month: int, year: Optional[str]) -> str:
    try:
        dt.date(int(year or 2000), month, day)  # 2000 is a leap year: "29. februar" stays a date
    except ValueError:
        return match.group()
    words = lexicon(language)
    said = f"{words.ordinal_words[day]} {words.month_words[month - 1]}"
    return f"{said} {year}" if year else said


def _codes(text: str, language: str) -> str:
    """Tracking numbers in groups of letters and digits; digit runs that are phone numbers are left to `_phones`."""

    def say(match: re.Match) -> str:
        if normalise_phone(match.group()):
            return match.group()
        return read_back(re.sub(r"[ -]", "", match.group()), language)

    return _CODE.sub(say, text)


def _phones(text: str, language: str) -> str:
    """Digit by digit in the groups they are written in: "+47 987 65 432" -> "pluss fire sju, ni åtte sju, ..."."""
    for _, start, end in reversed(list(find_phone_numbers(text))):
        text = text[:start] + _say_phone(text[start:end], language) + text[end:]
    return text


def _say_phone(written: str, language: str) -> str:
    digits = lexicon(language).digit_words
    groups = [group for group in re.split(r"[ -]+", written) if group]
    said = [" ".join(digits[int(d)] for d in group.lstrip("+")) for group in groups]
    if written.startswith("+"):
        said[0] = f"{_words(language)['plus']} {said[0]}"
    return ", ".join(said)


def _abbreviations(text: str, language: str) -> str:
    spoken = {written.lower(): said for written, said in _words(language)["abbreviations"].items()}
    pattern = "|".join(re.escape(written) for written in sorted(spoken, key=len, reverse=True))
    return re.sub(rf"(?<![\w.])(?:{pattern})(?!\w)", lambda m: spoken[m.group().lower()], text, flags=re.IGNORECASE)


def _money(text: str, language: str) -> str:
    """Amounts in words: "1 249,50 kr" -> "1249 kroner og 50 øre".

    espeak reads the decimal comma as "komma" (sv: "punkt"), "kr" as two letters, and a
    non-breaking thousands space not at all.
    """
    currency = _words(language)["currency"]

    def say(match: re.Match) -> str:
        whole = int(re.sub(r"\D", "", match[1]))
        said = f"{whole} {currency['one'] if whole == 1 else currency['many']}"
        cents = match[2] if match[2] and match[2].isdigit() else "00"
        return said if cents == "00" else f"{said} {_words(language)['and']} {int(cents)} {currency['minor']}"

    return _MONEY.sub(say, text)


def _times(text: str, language: str) -> str:
    """Clock times as said: "08–20" -> "8 til 20", "14:30" -> "14 30", "08:05" -> "8 null 5", "klokka 14.30" too."""
    words = _words(language)
    zero = lexicon(language).digit_words[0]
    text = _RANGE.sub(lambda m: f"{_say_time(m[1], zero)} {words['range']} {_say_time(m[2], zero)}", text)
    text = _WORD_RANGE.sub(f" {words['range']} ", text)
    text = _TIME.sub(lambda m: _say_time(m.group(), zero), text)
    clock = re.compile(rf"\b({re.escape(words['clock'])})[ \u00a0]+(\d{{1,2}}(?:\.[0-5]\d)?)(?!\d)", re.IGNORECASE)
    return clock.sub(lambda m: f"{m[1]} {_say_time(m[2].replace('.', ':'), zero)}", text)


def _say_time(written: str, zero: str) -> str:
    hours, _, minutes = written.partition(":")
    hour = str(int(hours))
    if not minutes or minutes == "00":
        return hour
    return f"{hour} {zero} {int(minutes)}" if minutes.startswith("0") else f"{hour} {minutes}"


def _tidy(text: str, language: str) -> str:
    text = re.sub(r"\(\s*\)", "", text.replace("\u00a0", " "))
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ([.,!?:;])", r"\1", text)
    return re.sub(r"([.!?])[.]+", r"\1", text).strip()


_STEPS: Tuple[Callable[[str, str], str], ...] = (
    _markdown,
    _emoji,
    _dates,
    _codes,
    _phones,
    _abbreviations,
    _money,
    _times,
    _tidy,
)
