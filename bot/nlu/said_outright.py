"""Requests said outright decide the intent, whatever DIET reads in the rest of the message.

"Vill reklamera RR…, den har stått på terminalen i Göteborg alldeles för länge" is a complaint,
though most of its words are a tracking question's; "nä vet du vad, strunta i det. jag mejlar
butiken istället" ends the errand, though DIET reads it as an answer. The phrases are in
`bot/understanding/vocabulary.yml` (`complaint_requests`, `dismissals`, `dismissal_clauses`). A
dismissal becomes `stop`, whose cancel action inside a form still takes a message that names one of
the offered options as the answer ("nei, heller i postkassen").
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.nlu.parcel_intent import IntentRule, names_a_parcel
from bot.understanding.words import clauses, contains_phrase, fold, word_set

COMPLAINT, STOP = "complaint", "stop"
# A complaint said outright overrides these readings only: a "no" stays a no ("trenger ikke klage").
COMPLAINT_MISTAKEN_FOR = ("track_parcel", "inform", "greet", "opening_hours", "delivery_times", "out_of_scope")


def said_outright(text: str, intent: Optional[str], entities: List[Dict[str, Any]]) -> Optional[str]:
    """The intent a phrase in ``text`` says outright, or None to keep DIET's.

    Also when DIET read the same intent: said outright, it is certain, and DIET's doubt would
    otherwise send "ingen fara, strunta i det" to the fallback.

    A dismissal that names a parcel ("glöm det, kolla RR… istället") moves on to that parcel: not a stop.
    """
    if _dismisses(text) and not names_a_parcel(entities):
        return STOP
    if intent in (COMPLAINT, *COMPLAINT_MISTAKEN_FOR) and contains_phrase(text, word_set("complaint_requests")):
        return COMPLAINT
    return None


def _dismisses(text: str) -> bool:
    said = {_without_lead_ins(fold(clause).split()) for clause in clauses(text)}
    return contains_phrase(text, word_set("dismissals")) or bool(said & word_set("dismissal_clauses"))


def _without_lead_ins(words: List[str]) -> str:
    """The clause from its first word that is not a lead-in ("nä men lägg ner" is "lägg ner")."""
    lead_ins = word_set("dismissal_lead_ins")
    while len(words) > 1 and words[0] in lead_ins:
        words = words[1:]
    return " ".join(words)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SaidOutright(IntentRule):
    decide = staticmethod(said_outright)
