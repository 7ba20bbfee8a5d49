"""Gibberish is not understood, however sure DIET claims to be.

DIET spreads its softmax over the intents it knows, so "blorp fnaargh wibble"
can come out as a confident `complaint`. A message none of whose words occur
anywhere in the training data, and in which nothing was recognised as an entity,
is turned into `nlu_fallback` so the customer is asked to rephrase. A single
unknown word ("tjenixen", "adressbyte") is left to DIET: its character n-grams
often get slang and compounds right.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import LANGUAGE_DETECTION


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UnknownWordsFallback(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_words": 2}

    def __init__(self, min_words: int) -> None:
        self._min_words = min_words

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UnknownWordsFallback":
        return cls(config["min_words"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            detection = message.get(LANGUAGE_DETECTION) or {}
            unknown_text = detection.get("words", 0) >= self._min_words and detection.get("known_words", 0) == 0
            if unknown_text and not message.get(ENTITIES):
                fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, fallback)
                message.set(INTENT, fallback, add_to_output=True)
        return messages
