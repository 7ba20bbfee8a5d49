"""A person's name inside what the customer wrote: "hei, jeg heter kari holm og flytter 1. mars".

A name is taken whole, also when its words are ordinary words or places (Holm, Bakke, Dal, Strand,
Lund, Berg), with double names ("Anne-Lise Berg-Hansen") and particles ("Ebba von Rosen",
"Lars af Klint"), and it ends where the sentence goes on about something else ("og", "flytter",
a comma, a number), so the rest of the message is never registered as the name.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional

from bot.understanding.words import fold, tokens, word_set

MAX_NAME_WORDS = 5
ANSWER_INTRO_REACH = 5  # a weak opening ("det er") counts only at the start of an answer
_LEAD = re.compile(r"^\W*(?:(?:hei|hej|hallo|heisann|hejsan|ja|jo|ok|okei|okej|ehm|eh|mm|sure)\b[\s,.!:;-]*)+", re.I)
_ANSWER_INTROS = ("det er", "det e", "det ar", "dette er", "detta ar", "her er", "har ar", "heter", "navn", "namn",
                  "name", "skal vaere", "skal vere", "ska vara", "skulle vaere", "skulle vara", "blir", "er", "ar")


def read_name(text: str, answering: bool = False) -> Optional[str]:
    """The customer's name in ``text``; None if there is none.

    ``answering``: the bot just asked for the name, so the message may be the bare name ("kari holm")
    or start with weaker openings ("det er Kari Holm"). Otherwise only an introduction that says
    it is a name ("jeg heter", "mitt namn är", "hilsen") counts.
    """
    words = tokens(text)
    for start in _after_intros(words, word_set("name_intros")):
        name = _name_from(text, start)
        if name:
            return name
    if not answering:
        return None
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
        if taken and re.search(r"[,.;:!?()]", gap):
            break
        folded = fold(word)
        if folded in particles and taken:
            following = words[index + 1][0] if index + 1 < len(words) else ""
            if following.isalpha() and fold(following) not in stops:
                taken.append(word)
                previous_end = start + w_end
                continue
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
