"""Recognise an answer to a closed question from its button payload or the customer's own words.

Customers rarely type an option's label: they write "for alltid", "den kom aldri fram",
"nei takk, trenger ikke". The vocabulary lives in choices.yml; this module only matches:
words are compared folded (case and æøåäö ignored), whole words only, the longest phrase
wins, a phrase right after a negation ("ikke midlertidig") counts against its option, and
one typo in a long word is forgiven when nothing matches exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import yaml
from rasa_sdk.executor import CollectingDispatcher

_CHOICES_FILE = Path(__file__).with_name("choices.yml")
_CLAUSE_BREAK = ","
_CLAUSE_WORDS = {"men", "heller", "utan", "but", "istedet", "istallet", "isteden"}
NEGATION_REACH = 2  # words between a negation and the phrase it negates ("ikke på kvelden")
FUZZY_MIN_LENGTH = 6


@lru_cache(maxsize=1)
def vocabulary() -> Dict[str, Any]:
    return yaml.safe_load(_CHOICES_FILE.read_text(encoding="utf-8"))


def padded_words(text: str) -> str:
    """Lower-case words between single spaces, padded, so `f" {phrase} " in padded_words(text)` matches whole words."""
    return " " + " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split()) + " "


def fold(text: str) -> str:
    """Lower case without diacritics, so "sönder", "sonder", "lørdag" and "lordag" meet their vocabulary."""
    text = text.lower().replace("ø", "o").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def tokens(text: str) -> List[str]:
    """Folded words, with "," marking every clause break (punctuation and words like "men", "heller")."""
    words = []
    for word in re.findall(r"[\w]+|[,.;:!?()\-–]", fold(text)):
        words.append(_CLAUSE_BREAK if not word[0].isalnum() or word in _CLAUSE_WORDS else word)
    return words


@dataclass(frozen=True)
class Hit:
    option: Any
    length: int  # characters of the phrase: longer phrases say more
    negated: bool


def _phrase_tokens(phrase: str) -> Tuple[str, ...]:
    return tuple(t for t in tokens(phrase) if t != _CLAUSE_BREAK)


@lru_cache(maxsize=64)
def _compiled(key: str) -> Tuple[Tuple[Any, Tuple[str, ...]], ...]:
    """(option, phrase tokens) for a vocabulary section named by a dotted key, longest phrases first."""
    section: Any = vocabulary()
    for part in key.split("."):
        section = section[part] if part in section else section[int(part)]
    pairs = [(option, _phrase_tokens(str(p))) for option, phrases in section.items() for p in phrases]
    return tuple(sorted(pairs, key=lambda pair: -len(" ".join(pair[1]))))


def _negated(words: Sequence[str], start: int, end: int) -> bool:
    """A negation shortly before the phrase, or after it behind a verb ("helgen passar inte")."""
    negations = set(vocabulary()["negations"])
    verbs = {fold(v) for v in vocabulary()["negated_by_verb"]}
    after = words[end:end + 2]
    if len(after) == 2 and after[0] in verbs and after[1] in negations:
        return True
    for word in reversed(words[max(0, start - NEGATION_REACH - 1):start]):
        if word == _CLAUSE_BREAK:
            return False
        if word in negations:
            return True
    return False


def _close(a: str, b: str) -> bool:
    """One letter added, dropped, changed or two swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def hits(key: str, text: str) -> List[Hit]:
    """Every phrase of vocabulary section ``key`` found in ``text``; a longer phrase hides the shorter ones inside it."""
    words = tokens(text)
    taken = [False] * len(words)
    found = []
    for option, phrase in _compiled(key):
        size = len(phrase)
        for start in range(len(words) - size + 1):
            if tuple(words[start:start + size]) == phrase and not any(taken[start:start + size]):
                taken[start:start + size] = [True] * size
                found.append(Hit(option, len(" ".join(phrase)), _negated(words, start, start + size)))
    if found:
        return found
    for option, phrase in _compiled(key):  # nothing exact: forgive one typo in a long single word
        if len(phrase) == 1 and len(phrase[0]) >= FUZZY_MIN_LENGTH:
            for start, word in enumerate(words):
                if not taken[start] and _close(word, phrase[0]):
                    taken[start] = True
                    found.append(Hit(option, len(word), _negated(words, start, start + 1)))
    return found


def best_option(found: Iterable[Hit], options: Sequence[Any]) -> Optional[Any]:
    """The option with the longest phrase; a negated phrase counts for the other option of two, else against its own."""
    score: Dict[Any, int] = {}
    excluded = set()
    for hit in found:
        if hit.negated:
            others = [o for o in options if o != hit.option]
            if len(others) == 1:
                score[others[0]] = max(score.get(others[0], 0), hit.length)
            excluded.add(hit.option)
        else:
            score[hit.option] = max(score.get(hit.option, 0), hit.length)
    ranked = sorted(((length, option) for option, length in score.items() if option not in excluded),
                    key=lambda pair: -pair[0])
    if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
        return None
    return ranked[0][1]


def match_choice(question: str, answer: str) -> Optional[str]:
    """The option named by a button payload, or by the customer's words; None if none or two fit equally."""
    options: Mapping[str, Any] = vocabulary()[question]
    if answer in options:
        return answer
    return best_option(hits(question, answer), list(options))


def change_type_of(text: str) -> Optional[str]:
    """"permanent" or "temporary" from free prose ("studerer i Bergen dette semesteret"), None if it does not say.

    For any reader of whole messages, not only the answer to "permanent or temporary?".
    """
    return match_choice("change_type", text)


def yes_or_no(text: str) -> Optional[bool]:
    """True for yes, False for no, None when the words say neither (or both equally)."""
    answer = best_option(hits("yes_no", text), ["yes", "no"])
    return None if answer is None else answer == "yes"


def says_cancel(text: str) -> bool:
    """The customer wants to stop the whole thing ("avbryt", "glem det"), whatever else the message names."""
    words = tokens(text)
    return any(
        tuple(words[i:i + len(phrase)]) == phrase
        for phrase in (_phrase_tokens(p) for p in vocabulary()["cancel_words"])
        for i in range(len(words) - len(phrase) + 1)
    )


def validate_choice(question: str, answer: Any, dispatcher: CollectingDispatcher, not_understood: str) -> Dict[str, Any]:
    """Slot update for a closed question; tells the customer the options when the answer fits none."""
    choice = match_choice(question, str(answer or ""))
    if choice is None:
        dispatcher.utter_message(response=not_understood)
    return {question: choice}
