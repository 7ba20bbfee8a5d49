"""Tracking numbers, postcodes and dates spoken by a caller, turned into what the chat bot accepts.

A transcript of a spelt-out code is ambiguous word by word: nb "en" is the digit 1 or the
letter N, "tjue en" is 21 or 2 0 1, "er" may be R or just "is". Instead of guessing word by
word, every reading is tried in the order a listener would try them, and the first one that
is a *valid* value wins: a tracking number's check digit, or a postcode in the register.
That is also why a number with a wrong check digit gives None rather than a near miss.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Set, Tuple

from bot.identifiers.dates import parse_date
from bot.identifiers.postcodes import town_of
from bot.identifiers.tracking import TrackingFormat, parse_tracking_number, s10_check_digit
from voice.spoken import Lexicon, lexicon, tokens
from voice.spoken.numbers import MAX_PHRASE, longest_number, number_phrases, parse_number

# The longest name of a letter in words: "dobbelt ve".
_LETTER_WORDS = 2
_S10_PREFIX = re.compile(r"[A-Z]{0,2}|[A-Z]{2}\d{1,9}|[A-Z]{2}\d{9}[A-Z]{1,2}")
_S10_SHAPE = re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}")
# An S10 code as Whisper writes it, in capitals with its digits grouped: "RR 720 505 449 SE"
_WRITTEN_S10 = re.compile(r"\b([A-Z]{2})[ -]?(\d(?:[ -]?\d){8})[ -]?([A-Z]{2})\b")
_GROUP = 3  # digits read together in a read-back: short enough to repeat, long enough to be few
_DayMonthYear = Tuple[int, Optional[int], Optional[int]]


@dataclass(frozen=True)
class _Target:
    """What a reading must become: `fits` prunes prefixes early, `value` accepts a whole reading."""

    fits: Callable[[str], bool]
    value: Callable[[str], Optional[str]]


def tracking_number(text: str, language: str) -> Optional[str]:
    """The valid tracking number spelt out in ``text`` (S10 "CP710202412NO", SSCC, carrier shipment number).

    S10 and SSCC numbers carry a check digit, so they are found anywhere in the utterance,
    whatever reading of the words it takes. A shipment number has none to confirm a guess, so
    it is taken only as the plain reading of an utterance that is all digits from its first
    number word on: otherwise a mis-heard SSCC minus its first digit would pass as one.
    """
    said = tokens(_WRITTEN_S10.sub(_glued, text))
    return _search(said, language, _CHECKED) or _shipment_number(said, language)


def _glued(code: "re.Match[str]") -> str:
    """Written capitals are letters, not words: "SE" in "RR 720 505 449 SE" is Sweden, not the letter C."""
    return code.group(1) + re.sub(r"[ -]", "", code.group(2)) + code.group(3)


def as_written(transcript: str, language: str) -> str:
    """What a caller's transcript becomes before the dialogue sees it: the chat's text path for the phone.

    A tracking number spelt out ("ce pe sju en …") becomes the number the NLU knows, one said in full
    with a wrong check digit too (see `misspelt_tracking_number`); other speech is kept.
    """
    number = tracking_number(transcript, language) or misspelt_tracking_number(transcript, language)
    return number if number else transcript


def misspelt_tracking_number(text: str, language: str) -> Optional[str]:
    """An S10 said in full ("ce pe sju en … en o") whose check digit is wrong, as its 13 characters.

    Asked only when `tracking_number` found no valid reading: the chat bot then hears the
    code as said and tells the caller a character is wrong, rather than taking the words for
    something else or answering about a parcel discussed earlier.
    """
    return _search(tokens(text), language, _S10_SHAPED)


def postcode(text: str, language: str) -> Optional[str]:
    """A postcode of the caller's country that exists in the register: "null fem femti" -> "0550"."""
    words = lexicon(language)
    length = words.postcode_digits
    target = _Target(
        fits=lambda built: built.isdigit() and len(built) <= length,
        value=lambda built: built if len(built) == length and town_of(built, words.postcode_country) else None,
    )
    return _search(tokens(text), language, target)


def spoken_date(text: str, language: str, today: Optional[dt.date] = None) -> Optional[dt.date]:
    """The date a caller means: "i morgen", "første desember", "den tjugofjärde", "nästa fredag".

    A day without a month is the next such day to come; weekdays and anything written with
    digits are left to the chat bot's own date parser, so both channels agree.
    """
    today = today or dt.date.today()
    words = lexicon(language)
    said = tokens(text)
    relative = _relative_day(said, words)
    if relative is not None:
        return today + dt.timedelta(days=relative)
    day = _day_and_month(said, words, language)
    if day is None:
        return parse_date(text, today)
    number, month, year = day
    if month is None:
        return _next_day_of_month(number, today)
    return parse_date(f"{number}. {words.month_words[month - 1]} {year or ''}", today)


def read_back(value: str, language: str) -> str:
    """A code as the bot says it: "CP710202412NO" -> "C, P, sju en null, to null to, fire en to, N, O".

    Letters stay single capitals because espeak-ng names a lone capital correctly in both
    languages, where a written name misleads it (nb "de" is read as the pronoun "di", sv "ge"
    as "je"). Digits are words, one by one, in groups of three; the commas make the pauses.
    The result is itself a transcript `tracking_number` and `postcode` read back to ``value``.
    """
    words = lexicon(language)
    groups = []
    for run in re.findall(r"[A-Z]|\d+", value.upper()):
        if run.isdigit():
            groups += [" ".join(words.digit_words[int(d)] for d in group) for group in _digit_groups(run)]
        else:
            groups.append(run)
    return ", ".join(groups)


def _digit_groups(digits: str) -> List[str]:
    """Groups of three, never leaving one digit alone: 4 digits stay one group, 5 are "114, 55"."""
    groups = [digits[i:i + _GROUP] for i in range(0, len(digits), _GROUP)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2:] = [groups[-2] + groups[-1]]
    return groups


def _s10_fits(built: str) -> bool:
    if not _S10_PREFIX.fullmatch(built):
        return False
    return len(built) < 11 or s10_check_digit(built[2:10]) == int(built[10])


def _checked_value(built: str) -> Optional[str]:
    parsed = parse_tracking_number(built)
    return parsed.value if parsed and parsed.format is not TrackingFormat.SHIPMENT else None


_S10_SHAPED = _Target(
    fits=lambda built: bool(_S10_PREFIX.fullmatch(built)),
    value=lambda built: built if _S10_SHAPE.fullmatch(built) else None,
)
_CHECKED = _Target(
    fits=lambda built: _s10_fits(built) or (built.isdigit() and len(built) <= 18),
    value=_checked_value,
)


def _shipment_number(said: Sequence[str], language: str) -> Optional[str]:
    """The plain reading from the first number word to the end, which may hold only numbers and hesitations."""
    fillers = lexicon(language).fillers
    at = next((at for at in range(len(said)) if longest_number(said, at, language)), len(said))
    digits: List[str] = []
    while at < len(said):
        phrase = longest_number(said, at, language)
        if phrase:
            digits.append(phrase[0])
            at = phrase[1]
        elif said[at] in fillers:
            at += 1
        else:
            return None
    parsed = parse_tracking_number("".join(digits)) if digits else None
    return parsed.value if parsed else None


def _search(said: Sequence[str], language: str, target: _Target) -> Optional[str]:
    """The first valid reading of a stretch of ``said``, trying starts from the left."""
    words = lexicon(language)
    pieces = [_pieces(said, at, language, words) for at in range(len(said))]
    dead_ends: Set[Tuple[int, str]] = set()

    def walk(at: int, built: str) -> Optional[str]:
        value = target.value(built) if built else None
        if value:
            return value
        if at == len(said) or (at, built) in dead_ends:
            return None
        options = [(built + piece, end) for piece, end in pieces[at] if target.fits(built + piece)]
        if built and said[at] in words.fillers:
            options.append((built, at + 1))
        for longer, end in options:
            found = walk(end, longer)
            if found:
                return found
        dead_ends.add((at, built))
        return None

    return next((found for start in range(len(said)) if (found := walk(start, ""))), None)


def _pieces(said: Sequence[str], at: int, language: str, words: Lexicon) -> List[Tuple[str, int]]:
    """What the words from ``at`` may stand for, most natural first: numbers, then letters."""
    pieces = number_phrases(said, at, language)
    for length in range(min(_LETTER_WORDS, len(said) - at), 0, -1):
        letter = words.letters.get(" ".join(said[at:at + length]))
        if letter:
            pieces.append((letter, at + length))
    if not pieces and re.fullmatch(r"[a-z]{2}|[a-z0-9]*\d[a-z0-9]*", said[at]):
        pieces.append((said[at].upper(), at + 1))  # typed or glued: "cp", "no", "cp710"
    return pieces


def _relative_day(said: Sequence[str], words: Lexicon) -> Optional[int]:
    text = f" {' '.join(said)} "
    found = [(len(phrase), days) for phrase, days in words.relative_days.items() if f" {phrase} " in text]
    return max(found)[1] if found else None


def _day_and_month(said: Sequence[str], words: Lexicon, language: str) -> Optional[_DayMonthYear]:
    """(day, month or None, year or None) for "første desember", "tjuefire desember 2026", "den tjugofjärde"."""
    for at in range(len(said)):
        for day, end, ordinal in _days_at(said, at, words, language):
            month = words.months.get(said[end]) if end < len(said) else None
            if month:
                return day, month, _year(said[end + 1:], language)
            if ordinal:  # "den tjugofjärde": asked for a date, an ordinal alone is a day
                return day, None, None
    return None


def _days_at(said: Sequence[str], at: int, words: Lexicon, language: str) -> List[Tuple[int, int, bool]]:
    """Day numbers 1-31 from ``at`` as (day, end, ordinal): ordinals ("tjue fjerde") before cardinals ("tjuefire")."""
    lengths = [length for length in (2, 1) if at + length <= len(said)]
    days = [(words.ordinals.get(" ".join(said[at:at + n])), at + n, True) for n in lengths]
    days += [(parse_number(said[at:at + n], language), at + n, False) for n in lengths]
    return [(day, end, ordinal) for day, end, ordinal in days if day and 1 <= day <= 31]


def _year(after_month: Sequence[str], language: str) -> Optional[int]:
    for length in range(min(len(after_month), MAX_PHRASE), 0, -1):
        year = parse_number(after_month[:length], language)
        if year and 1900 <= year <= 2199:
            return year
    return None


def _next_day_of_month(day: int, today: dt.date) -> Optional[dt.date]:
    """Today or the next date with that day number, skipping months too short for it."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            candidate = None
        if candidate and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None
