"""A message that is nothing but a tracking number says no intent of its own: it is `inform`.

"CP710606451NO" on its own answers whatever the conversation is about: the bot's question for a
number, or, as a first message, "track this". DIET still gives such a message a confident intent
from the characters of the number (a bare number came out as `complaint` at 0.97, which started
a complaint nobody asked for), so once the structured entities are found, a message whose words
are all inside tracking-number entities (give or take punctuation) is set to `inform`, and the
dialogue decides from the context what the number is for.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

INFORM = "inform"
NUMBER_ENTITIES = ("tracking_number", "tracking_number_invalid")


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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class BareIdentifierIntent(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "BareIdentifierIntent":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if is_bare_number(message.get(TEXT) or "", message.get(ENTITIES) or []):
                override_intent(message, INFORM)
        return messages


def override_intent(message: Message, intent: str) -> None:
    """Make ``intent`` the message's intent at confidence 1.0, the rest of DIET's ranking kept below it."""
    chosen = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
    message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
    message.set(INTENT, chosen, add_to_output=True)
