"""A general question that names a parcel is a question about that parcel: it is `track_parcel`.

"Må jeg være hjemme i dag for å ta imot CP…?", "har den kommit fram? CP 710 404 437 NO", "hur mycket
tull måste jag betala? RR…": DIET reads such messages by their general words as opening hours,
delivery times or a question the bot cannot answer, and the customer gets a general answer while
the back-end knows the answer for their parcel (its status, expected delivery, customs amount, the
pickup point's hours, which the tracking action gives when the question is about hours). So once
the structured entities are found, a message with a tracking number, valid or mistyped (the
tracking form then says which digit does not fit), whose intent is one of the general ones is set
to `track_parcel`.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.bare_identifier import NUMBER_ENTITIES, override_intent

TRACK = "track_parcel"
GENERAL_INTENTS = ("opening_hours", "delivery_times", "unsupported_question", "out_of_scope")


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
            if intent in GENERAL_INTENTS and names_a_parcel(message.get(ENTITIES) or []):
                override_intent(message, TRACK)
        return messages
