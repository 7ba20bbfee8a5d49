"""Which topic of the knowledge base a question about the carrier's services is about.

Two steps, each done by what does it best. Whether a message is a question about services at all is
the intent classifier's decision (`unsupported_question`). Which topic it is about is decided here,
by a word model trained on the example questions of the topics only: with the other intents' examples
as a "no topic" class beside 57 small topics, that class swallowed two thirds of the fresh topic
questions. A question gets a topic only when the word model is sure enough (`threshold`) and the
runner-up is not close (`margin`); otherwise the action gives the honest answer that the bot does not
know, with a link and a person. A wrong topic's confident answer is the one outcome that must not happen.

The topic is an entity (`service_topic`), so it reaches the action server and the desk with the
message and fills the slot that lets a follow-up ("og til Tyskland?") keep the topic.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot import knowledge
from bot.nlu.words_model import WordsModelComponent

ENTITY = "service_topic"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ServiceTopic(WordsModelComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intents": [knowledge.SERVICE_INTENT], "threshold": 0.4, "margin": 0.1, "c": 50.0}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The knowledge base is read at training, not given by Rasa: a change to it must retrain."""
        return knowledge.load().digest

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels, _ = zip(*knowledge.load().examples())
        return self.fit(texts, labels)

    def topic(self, text: str) -> Optional[tuple]:
        """(topic id, confidence) when one topic is clearly the question's, else None."""
        ranked = sorted(zip(self._model.predict_proba([text])[0], self._model.classes_), reverse=True)
        (best, name), (second, _) = ranked[0], ranked[1]
        if best < self._config["threshold"] or best - second < self._config["margin"]:
            return None
        return name, float(best)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if self._model is None or not text or intent not in self._config["intents"]:
                continue
            found = self.topic(text)
            if found:
                entity = {"entity": ENTITY, "value": found[0], "confidence_entity": found[1]}
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), self.add_extractor_name([entity])[0]], add_to_output=True)
        return messages
