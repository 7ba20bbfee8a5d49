"""Rasa component that marks every message with its language (Norwegian or Swedish).

It runs first in the pipeline so that the tokenizer can lemmatise with the right
language, and its verdict travels in the parse data (``language_detection``) to
``action_detect_language``, which decides whether the conversation switches.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

import rasa.shared.utils.io
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import METADATA, METADATA_INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.language.detector import LANGUAGES, LanguageModel

logger = logging.getLogger(__name__)

LANGUAGE_DETECTION = "language_detection"
_MODEL_FILE = "language_model.json"


def training_language(message: Message) -> Optional[str]:
    """The language a training example was written in (``metadata: {language: ..}``)."""
    metadata = message.get(METADATA) or {}
    language = (metadata.get(METADATA_INTENT) or {}).get("language")
    return language if language in LANGUAGES else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageDetector(GraphComponent):
    """Naive Bayes language identification trained on the bot's own NLU data."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "default_language": "nb",
            # log-odds a single message needs before it may switch the conversation
            "min_log_odds": 4.0,
            "min_known_words": 2,
            "ngram": 3,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LanguageModel] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        samples = [
            (example.get(TEXT), training_language(example))
            for example in training_data.intent_examples
            if training_language(example)
        ]
        if not samples:
            logger.warning("No NLU examples carry 'metadata: {language: ..}'; language detection will guess.")
        self._model = LanguageModel.train(
            samples,
            ngram=self._config["ngram"],
            min_log_odds=self._config["min_log_odds"],
            min_known_words=self._config["min_known_words"],
        )
        with self._model_storage.write_to(self._resource) as directory:
            rasa.shared.utils.io.dump_obj_as_json_to_file(directory / _MODEL_FILE, self._model.to_dict())
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageDetector":
        with model_storage.read_from(resource) as directory:
            data = rasa.shared.utils.io.read_json_file(directory / _MODEL_FILE)
        return cls(config, model_storage, resource, LanguageModel.from_dict(data))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep the language they were written in."""
        for example in training_data.training_examples:
            language = training_language(example)
            if language:
                example.set(LANGUAGE_DETECTION, {"language": language, "clear": True})
            elif example.get(TEXT):
                self._annotate(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TEXT) is not None:
                self._annotate(message)
        return messages

    def _annotate(self, message: Message) -> None:
        default = self._config["default_language"]
        if self._model is None:
            detection = {"language": default, "clear": False}
        else:
            detection = self._model.detect(message.get(TEXT), default).as_dict()
        message.set(LANGUAGE_DETECTION, detection, add_to_output=True)
