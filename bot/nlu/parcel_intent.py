"""What a tracking number in a message says about its intent, where DIET reads the words wrongly.

Runs once the structured entities are found. A number, valid or mistyped (the tracking form then
says which character does not fit), decides in three cases:

- **Nothing but the number** is `inform`. "CP710606451NO" on its own answers whatever the
  conversation is about: the bot's question for a number or, as a first message, "track this". DIET
  still gives such a message a confident intent from the number's characters (one came out as
  `complaint` at 0.97, which started a complaint nobody asked for); the dialogue decides instead.
- **A wish for another delivery** with a number is `book_delivery`, whatever DIET read ("CP… må komme
  etter jobb, går det an?" came out as a move, "kan RR… legges i brevlådan?" as tracking): the fact
  reader's `asks_for_other_delivery` knows the wish, and the booking form reads it from the message.
- **A general question** with a number is `track_parcel`. "Må jeg være hjemme i dag for å ta imot
  CP…?", "har den kommit fram? CP 710 404 437 NO", "hur mycket tull måste jag betala? RR…" read as
  opening hours, delivery times or a question the bot cannot answer, while the back-end knows the
  answer for that parcel (status, expected delivery, customs amount, and the pickup point's hours,
  which the tracking action gives when the question is about hours).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.understanding.facts import asks_for_other_delivery

INFORM, TRACK, BOOK = "inform", "track_parcel", "book_delivery"
NUMBER_ENTITIES = ("tracking_number", "tracking_number_invalid")
GENERAL_INTENTS = ("opening_hours", "delivery_times", "unsupported_question", "out_of_scope")
# Intents a delivery wish with a number is mistaken for; a complaint keeps its own ("kom knust, send en ny").
WISH_MISTAKEN_FOR = (TRACK, "change_address", INFORM, "greet", *GENERAL_INTENTS)


def is_bare_number(text: str, entities: List[Dict[str, Any]]) -> bool:
    """True when nothing but punctuation is left of ``text`` outside its tracking-number entities."""
    spans = sorted((e["start"], e["end"]) for e in entities if e.get("entity") in NUMBER_ENTITIES and "start" in e)
    if not spans:
        return False
    rest, at = [], 0
    for start, end in spans:
        rest.append(text[at:start])
        at = max(at, end)
    rest.append(text[at:])
    return not re.search(r"\w", "".join(rest))


def names_a_parcel(entities: List[Dict[str, Any]]) -> bool:
    return any(e.get("entity") in NUMBER_ENTITIES for e in entities)


def parcel_intent(text: str, intent: Optional[str], entities: List[Dict[str, Any]]) -> str:
    """The message's intent once its tracking number is taken into account."""
    if not names_a_parcel(entities):
        return intent
    if is_bare_number(text, entities):
        return INFORM
    if intent in WISH_MISTAKEN_FOR and asks_for_other_delivery(text):
        return BOOK
    return TRACK if intent in GENERAL_INTENTS else intent


def override_intent(message: Message, intent: str) -> None:
    """Make ``intent`` the message's intent at confidence 1.0, the rest of DIET's ranking kept below it.

    DIET's readings are halved: the FallbackClassifier, which runs next, would otherwise take a
    rule's 1.0 beside DIET's confident 0.98 for a tie and ask the customer to rephrase.
    """
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [{**r, PREDICTED_CONFIDENCE_KEY: (r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) / 2}
               for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
    message.set(INTENT, chosen, add_to_output=True)


class IntentRule(GraphComponent, IntentClassifier):
    """A component after DIET that sets the intent a rule decides; subclasses say what the rule is."""

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "IntentRule":
        return cls()

    @staticmethod
    def decide(text: str, intent: Optional[str], entities: List[Dict[str, Any]]) -> Optional[str]:
        """The intent the rule sets, or None to keep DIET's."""
        raise NotImplementedError

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            decided = self.decide(message.get(TEXT) or "", intent, message.get(ENTITIES) or [])
            if decided:
                override_intent(message, decided)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ParcelIntent(IntentRule):
    @staticmethod
    def decide(text: str, intent: Optional[str], entities: List[Dict[str, Any]]) -> Optional[str]:
        decided = parcel_intent(text, intent, entities)
        return decided if decided != intent else None
