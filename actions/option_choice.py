"""Which of the offered delivery options the customer means, from a button, a number or their own words.

Customers answer "Hva passer best?" with what matters to them: a weekday ("fredag"), a time
of day ("etter jobb", "på kvällen"), a place ("i postkassen", "hämtar själv på Hemköp"),
a relative day ("i morgen", "over helgen"), or a mix. Each thing named narrows the options
the back-end actually offered (kind, date, delivery window, pickup point's name); something
negated ("ikke på kvelden") removes options. One option left is the choice; several left
is a question back naming just those; none left means the wish cannot be met as said.
Vocabulary: the `delivery` section of choices.yml.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Set, Tuple

from actions.carrier.model import DeliveryOption
from actions.choices import Hit, fold, hits, tokens, vocabulary
from bot.identifiers.dates import parse_date

HOME_KINDS = ("home_daytime", "home_evening")
_NUMBER = re.compile(r"\D{0,12}?(\d)\D{0,10}")
_CLOCK = re.compile(
    r"\b(etter|efter|fra|fran|for|fore|innan|til|till|rundt|ved|vid)\s+(?:kl|klokka|klokken|klockan)?\s*(\d{1,2})(?:[:.]\d{2})?\b"
)
Hours = Tuple[float, float]


@dataclass(frozen=True)
class OptionAnswer:
    """What an answer to "which option?" said: one option, several that fit equally, or nothing usable."""

    chosen: Optional[DeliveryOption] = None
    candidates: List[DeliveryOption] = field(default_factory=list)  # two or more fit: ask which
    named_something: bool = False  # False: the answer named no option at all; True with nothing left: cannot be met


Test = Callable[[DeliveryOption], bool]


def _hours(window: Optional[Tuple[dt.time, dt.time]]) -> Optional[Hours]:
    if not window:
        return None
    return window[0].hour + window[0].minute / 60, window[1].hour + window[1].minute / 60


def _overlap(a: Hours, b: Hours) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def _clock_hours(text: str) -> Optional[Hours]:
    """ "etter kl 18" → 18–24, "før 12" → 0–12, "rundt 15" → 14–16."""
    match = _CLOCK.search(fold(text))
    if not match:
        return None
    hour = int(match[2])
    if hour > 24:
        return None
    if match[1] in ("etter", "efter", "fra", "fran"):
        return float(hour), 24.0
    if match[1] in ("rundt", "ved", "vid"):
        return hour - 1.0, hour + 1.0
    return 0.0, float(hour)


def _place_words(option: DeliveryOption) -> Set[str]:
    generic = {fold(w) for w in vocabulary()["delivery"]["generic_place_words"]}
    return {w for w in tokens(option.pickup_point_name or "") if len(w) >= 3 and w not in generic and w.isalpha()}


def _clauses(text: str) -> List[Tuple[str, bool]]:
    """The message's clauses and whether each is negated ("ikke fredag" | "men mandag")."""
    negations = set(vocabulary()["negations"])
    clauses, current = [], []
    for word in tokens(text) + [","]:
        if word == ",":
            if current:
                clauses.append((" ".join(current), any(w in negations for w in current)))
            current = []
        else:
            current.append(word)
    return clauses


class Wish:
    """What one answer asks for, as tests on an option: those it must pass and those it must fail."""

    def __init__(self, text: str, options: Sequence[DeliveryOption], today: dt.date) -> None:
        self.required: List[Test] = []
        self.refused: List[Test] = []
        self.time: Optional[Hours] = None
        self.kinds_named = False
        self._kinds(hits("delivery.kinds", text))
        self._places(text, options)
        self._dates(text, options, today)
        self._times(text)

    @property
    def named_something(self) -> bool:
        return bool(self.required or self.refused or self.time)

    def _kinds(self, found: List[Hit]) -> None:
        for hit in found:
            kinds = HOME_KINDS if hit.option == "home" else (hit.option,)
            test: Test = lambda option, kinds=kinds: option.kind in kinds
            (self.refused if hit.negated else self.required).append(test)
            self.kinds_named = self.kinds_named or not hit.negated

    def _places(self, text: str, options: Sequence[DeliveryOption]) -> None:
        words = set(tokens(text))
        named = {o.pickup_point_name for o in options if o.pickup_point_name and _place_words(o) & words}
        if named:
            self.required.append(lambda option: option.pickup_point_name in named)
            self.kinds_named = True

    def _dates(self, text: str, options: Sequence[DeliveryOption], today: dt.date) -> None:
        for clause, negated in _clauses(text):
            day = parse_date(clause, today)
            if day is not None:
                (self.refused if negated else self.required).append(lambda option, day=day: option.date == day)
        relative = {hit.option for hit in hits("delivery.relative", text) if not hit.negated}
        dates = sorted({o.date for o in options})
        if not dates:
            return
        if "earliest" in relative:
            self.required.append(lambda option: option.date == dates[0])
        if "latest" in relative:
            self.required.append(lambda option: option.date == dates[-1])
        if "after_weekend" in relative:
            monday = today + dt.timedelta(days=7 - today.weekday())
            later = [d for d in dates if d >= monday]
            first = later[0] if later else None
            self.required.append(lambda option: option.date == first)

    def _times(self, text: str) -> None:
        found = hits("delivery.times", text)
        wanted = [hit for hit in found if not hit.negated]
        for hit in found:
            if hit.negated:
                hours = _span(hit.option)
                self.refused.append(lambda option, hours=hours: _overlap(_hours(option.window) or (0, 0), hours) > 0)
        clock = _clock_hours(text)
        if clock:
            self.time = clock
        elif wanted:
            self.time = _span(max(wanted, key=lambda hit: hit.length).option)

    def fitting(self, options: Sequence[DeliveryOption]) -> List[DeliveryOption]:
        pool = [o for o in options if all(test(o) for test in self.required) and not any(t(o) for t in self.refused)]
        if self.time is None:
            return pool
        timeless = [o for o in pool if o.window is None and self.kinds_named]
        timed = [(o, _overlap(_hours(o.window), self.time)) for o in pool if o.window is not None]
        best = max((overlap for _, overlap in timed), default=0.0)
        return timeless + [o for o, overlap in timed if best > 0 and overlap == best]


def _span(name: str) -> Hours:
    start, end = str(name).split("-")
    return float(start), float(end)


def _by_position(answer: str, shown: Sequence[DeliveryOption]) -> Optional[DeliveryOption]:
    number = None if _CLOCK.search(fold(answer)) else _NUMBER.fullmatch(answer.strip())
    position = int(number.group(1)) if number else None
    if position is None:
        said = {hit.option for hit in hits("delivery.ordinals", answer) if not hit.negated}
        position = int(next(iter(said))) if len(said) == 1 else None
    return shown[position - 1] if position and 1 <= position <= len(shown) else None


def read_option(
    answer: str, options: Sequence[DeliveryOption], today: dt.date, shown: Optional[Sequence[DeliveryOption]] = None
) -> OptionAnswer:
    """The option meant by ``answer``; ``shown`` are the options of a clarifying question, which numbers refer to."""
    for option in options:
        if option.id == answer.strip():
            return OptionAnswer(option, named_something=True)
    shown = list(shown or options)
    by_position = _by_position(answer, shown)
    if by_position is not None:
        return OptionAnswer(by_position, named_something=True)
    wish = Wish(answer, options, today)
    if not wish.named_something:
        return OptionAnswer()
    fitting = wish.fitting(shown)
    if not fitting and len(shown) < len(options):  # not one of those asked about: maybe another after all
        fitting = wish.fitting(options)
    if len(fitting) == 1:
        return OptionAnswer(fitting[0], named_something=True)
    return OptionAnswer(candidates=fitting, named_something=True)
