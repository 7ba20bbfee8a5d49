"""A person's name inside what the customer wrote: "hei, jeg heter kari holm og flytter 1. mars".

A name is taken whole, also when its words are ordinary words or places (Holm, Bakke, Dal, Strand,
Lund, Berg), with double names ("Anne-Lise Berg-Hansen") and particles ("Ebba von Rosen",
"Lars af Klint"), and it ends where the sentence goes on about something else ("og", "flytter",
a comma, a number), so the rest of the message is never registered as the name.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterator, List, Optional

from bot.identifiers.postcodes import register

from bot.understanding.words import CLAUSE_END, fold, tokens, word_set

MAX_NAME_WORDS = 5
MIN_INTRODUCED_WORDS = 2  # "Ingrid Fjeld her", "Jeg er Geir Olav Bakke": first name and surname
MAX_CLAUSE_WORDS = 4
ANSWER_INTRO_REACH = 7  # a weak opening ("det er") counts only at the start of an answer
RESPELT_SIMILARITY = 0.75  # "Sundt" for "Sund", "Strömberg" for "Stromberg"; not "Hansen" for "Olsen"
RESPELT_SIMILARITY_NAMED = 0.5  # when the message names the part ("förnamnet är fel, Pär"): "Pär" for "Per"
_LABEL = re.compile(r"(?i)(?<!\w)(?:fullt\s+|fullständigt\s+|fullstandigt\s+)?(?:navn|namn|name)\s*:\s*")
_HERE = frozenset({"her", "här"})  # "Ingrid Fjeld her", "Gustaf von Essen här" (as written: "har" is a verb)
_I_AM = frozenset({"jeg er", "eg er", "jag ar", "jag er", "dette er", "detta ar", "det er", "det ar"})
_LEAD = re.compile(r"^\W*(?:(?:hei|hej|hallo|heisann|hejsan|ja|jo|ok|okei|okej|ehm|eh|mm|sure)\b[\s,.!:;-]*)+", re.I)
_ANSWER_INTROS = ("det er", "det e", "det ar", "dette er", "detta ar", "her er", "har ar", "heter", "navn", "namn",
                  "name", "skal vaere", "skal vere", "ska vara", "skulle vaere", "skulle vara", "blir", "er", "ar")


def read_name(text: str, answering: bool = False) -> Optional[str]:
    """The customer's name in ``text``; None if there is none.

    ``answering``: the bot just asked for the name, so the message may be the bare name ("kari holm")
    or start with weaker openings ("det er Kari Holm"). Otherwise only an introduction that says
    it is a name ("jeg heter", "mitt namn är", "hilsen") counts.
    """
    label = _LABEL.search(text)
    name = _name_from(text, label.end()) if label else None
    if name:
        return name
    words = tokens(text)
    for start in _after_intros(words, word_set("name_intros")):
        name = _name_from(text, start)
        if name:
            return name
    name = _introduced(text)
    if name or not answering:
        return name
    for start in _after_intros(words[:ANSWER_INTRO_REACH], frozenset(_ANSWER_INTROS)):
        name = _name_from(text, start)
        if name:
            return name
    lead = _LEAD.match(text)
    return _name_from(text, lead.end() if lead else 0)


def name_after(text: str, position: int) -> Optional[str]:
    """A name after ``position`` that follows an opening ("namnet är fel, det ska vara Karin Holm")."""
    rest = text[position:]
    return next(filter(None, (_name_from(rest, start) for start in _after_intros(tokens(rest), frozenset(_ANSWER_INTROS)))),
                None)


def _introduced(text: str) -> Optional[str]:
    """A capitalised full name that introduces the writer: "Hei, Ingrid Fjeld her." or "Jeg er Geir Olav Bakke."

    Only in a message with both cases, where capitals mean something: "jeg er sliten" is no name.
    """
    if not _mixed_case(text):
        return None
    words = tokens(text)
    for index, (word, _, _) in enumerate(words):
        if word in _HERE:
            name = _capitalised_before(text, words[:index])
            if name:
                return name
    for start in _after_intros(words, _I_AM):
        name = _name_from(text, start)
        if name and _is_full_name(name.split()) and not _street_follows(text, start, name):
            return name
    return None


def _capitalised_before(text: str, words: List[tuple]) -> Optional[str]:
    """The capitalised words (and particles) just before the end of ``words``, back to punctuation or a greeting."""
    taken: List[str] = []
    end = None
    for word, w_start, w_end in reversed(words):
        if end is not None and CLAUSE_END.search(text[w_end:end]):
            break
        if not (_capitalised(word) or (taken and fold(word) in word_set("name_particles"))) or _not_a_name(word):
            break
        taken.insert(0, word)
        end = w_start
    while taken and fold(taken[0]) in word_set("name_particles"):
        taken.pop(0)
    return " ".join(taken) if _is_full_name(taken) else None


def name_in_clause(text: str) -> Optional[str]:
    """A clause that is nothing but a capitalised full name: "jeg vil melde flytting. Sigrid Sund, fra …".

    Used when the customer tells a move without saying "jeg heter"; never a street (a number follows,
    or a street word), a town, a greeting or a sentence written all in capitals.
    """
    if not _mixed_case(text):
        return None
    for clause in re.finditer(r"[^,.;:!?()\n]+", text):
        words = [w for w, _, _ in tokens(clause.group())]
        names = [w for w in words if fold(w) not in word_set("name_particles")]
        if not 2 <= len(words) <= MAX_CLAUSE_WORDS or not all(_capitalised(w) and not _not_a_name(w) for w in names):
            continue
        if words[0] != names[0] or re.match(r"\s*\d", text[clause.end():]) or fold(" ".join(words)) in _towns():
            continue
        if _is_full_name(names):
            return " ".join(words)
    return None


def respelt(stored: str, text: str, part: Optional[str] = None) -> Optional[str]:
    """The stored name with one word as the correction spells it, or None if the message respells none.

    "oops, Strömberg med ö" makes "Malin Stromberg" "Malin Strömberg"; "etternavnet er feil, det er
    Sundt" (``part`` "last": the message names the surname) makes "Sigrid Sund" "Sigrid Sundt".
    """
    stored_words = stored.split()
    cased = text != text.lower()
    candidates = [w for w, _, _ in tokens(text) if w.replace("-", "").isalpha() and len(w) >= 2
                  and not _not_a_name(w) and (_capitalised(w) or not cased)]
    best = None
    threshold = RESPELT_SIMILARITY_NAMED if part else RESPELT_SIMILARITY
    for candidate in candidates:
        for index, word in enumerate(stored_words):
            if candidate == word or (part == "last" and index != len(stored_words) - 1) or (part == "first" and index):
                continue
            similarity = SequenceMatcher(None, fold(candidate), fold(word)).ratio()
            if similarity >= threshold and (best is None or similarity > best[0]):
                best = (similarity, index, candidate)
    if best is None:
        return None
    _, index, candidate = best
    stored_words[index] = candidate if cased else candidate.capitalize()
    return " ".join(stored_words)


def _mixed_case(text: str) -> bool:
    """Capitals mean something only in a message with both cases (not "kari holm", not "KARI HOLM")."""
    return text != text.lower() and text != text.upper()


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word)


def _not_a_name(word: str) -> bool:
    folded = fold(word)
    return (folded in word_set("name_stops") or folded in word_set("street_stops") or folded in word_set("greetings")
            or any(folded.endswith(ending) for ending in word_set("street_name_endings")))


def _is_full_name(words: List[str]) -> bool:
    names = [w for w in words if fold(w) not in word_set("name_particles")]
    return len(names) >= MIN_INTRODUCED_WORDS and all(_capitalised(w) for w in names)


def _street_follows(text: str, start: int, name: str) -> bool:
    """ "Det er Nedre Slottsgate 4": a number after the words makes them a street."""
    after = text.find(name, start) + len(name)
    return bool(re.match(r"\s*\d", text[after:]))


@lru_cache(maxsize=1)
def _towns() -> frozenset:
    """Every town of the two postcode registers, folded: "Nedre Eiker" is a place, not a person."""
    return frozenset(fold(town) for country in ("NO", "SE") for town in register(country).values())


def _after_intros(words: List[tuple], intros: frozenset) -> Iterator[int]:
    """Where the words after each introduction phrase begin (the longest phrase at a place)."""
    folded = [fold(w) for w, _, _ in words]
    for i in range(len(words)):
        for size in (5, 4, 3, 2, 1):
            if i + size <= len(words) and " ".join(folded[i:i + size]) in intros:
                yield words[i + size - 1][2]
                break


def _name_from(text: str, start: int) -> Optional[str]:
    """The name's words from ``start``: up to a stop word, punctuation, a number or MAX_NAME_WORDS."""
    stops, particles = word_set("name_stops"), word_set("name_particles")
    taken: List[str] = []
    previous_end = start
    words = tokens(text[start:])
    for index, (word, w_start, w_end) in enumerate(words):
        gap = text[previous_end:start + w_start]
        if taken and CLAUSE_END.search(gap):
            break
        folded = fold(word)
        if folded in particles and taken:
            following = words[index + 1][0] if index + 1 < len(words) else ""
            if following.isalpha() and fold(following) not in stops:
                taken.append(word)
                previous_end = start + w_end
                continue
        if taken and re.fullmatch(r"\d{1,4}[a-zA-Z]?", word):
            return None  # "apotekergata 3 6004 ålesund": words before a number are a street, not a name
        if not word.replace("-", "").replace("'", "").isalpha() or folded in stops or len(taken) == MAX_NAME_WORDS:
            break
        taken.append(word)
        previous_end = start + w_end
    if not taken or not any(len(w) >= 2 for w in taken):
        return None
    return _cased(taken)


def _cased(words: List[str]) -> str:
    """Capitals as a name has them when typed all in lower (or upper) case; particles stay small."""
    if any(w != w.lower() and w != w.upper() for w in words):
        return " ".join(words)
    particles = word_set("name_particles")
    return " ".join(
        w.lower() if fold(w) in particles and i else "-".join(part.capitalize() for part in w.split("-"))
        for i, w in enumerate(words)
    )
