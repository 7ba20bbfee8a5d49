"""A message that names a parcel is about that parcel: a general question is `track_parcel`, a wish
for another delivery is `book_delivery`.

"Må jeg være hjemme i dag for å ta imot CP…?", "har den kommit fram? CP 710 404 437 NO", "hur mycket
tull måste jag betala? RR…": DIET reads such messages by their general words as opening hours,
delivery times or a question the bot cannot answer, and the customer gets a general answer while
the back-end knows the answer for their parcel (its status, expected delivery, customs amount, the
pickup point's hours, which the tracking action gives when the question is about hours). So once
the structured entities are found, a message with a tracking number, valid or mistyped (the
tracking form then says which digit does not fit), whose intent is one of the general ones is set
to `track_parcel`.

"CP… må komme etter jobb, går det an?", "kan RR… legges i brevlådan?": DIET may read a delivery wish
with a number as tracking or even as a move; the fact reader's `asks_for_other_delivery` knows the
wish, so such a message is set to `book_delivery`, whose form reads the wish from it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.bare_identifier import NUMBER_ENTITIES, override_intent
from bot.understanding.facts import asks_for_other_delivery

TRACK, BOOK = "track_parcel", "book_delivery"
GENERAL_INTENTS = ("opening_hours", "delivery_times", "unsupported_question", "out_of_scope")
# Intents a delivery wish with a number is mistaken for; a complaint keeps its own ("kom knust, send en ny").
WISH_MISTAKEN_FOR = (TRACK, "change_address", "inform", "greet", *GENERAL_INTENTS)


def names_a_parcel(entities: List[Dict[str, Any]]) -> bool:
    return any(e.get("entity") in NUMBER_ENTITIES for e in entities)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ParcelQuestionIntent(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "ParcelQuestionIntent":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if not names_a_parcel(message.get(ENTITIES) or []):
                continue
            if intent in WISH_MISTAKEN_FOR and asks_for_other_delivery(message.get(TEXT) or ""):
                override_intent(message, BOOK)
            elif intent in GENERAL_INTENTS:
                override_intent(message, TRACK)
        return messages
