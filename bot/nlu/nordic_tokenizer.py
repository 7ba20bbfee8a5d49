"""Tokenize and lemmatise each message with spaCy in its own language.

One Rasa pipeline serves Norwegian and Swedish, but "paketen"/"pakkene" only
meet their base forms ("paket"/"pakke") with the right language's lemma
tables. The language comes from ``LanguageDetector``, which runs first.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Text

import spacy
import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import LANGUAGE_DETECTION

_LEMMA_SUPPLEMENTS = Path(__file__).parent / "lemmas"


class Lemmatizer:
    """spaCy's lookup table for one language, plus our own forms it lacks."""

    def __init__(self, language: str) -> None:
        self.nlp = spacy.blank(language)
        lemmatizer = self.nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        self.nlp.initialize()
        self.table = lemmatizer.lookups.get_table("lemma_lookup")
        supplement = _LEMMA_SUPPLEMENTS / f"{language}.yml"
        self.extra: Dict[str, str] = {}
        if supplement.exists():
            for lemma, forms in (yaml.safe_load(supplement.read_text(encoding="utf-8")) or {}).items():
                self.extra.update({form: lemma for form in forms})

    def lemma(self, word: str) -> str:
        lower = word.lower()
        return self.extra.get(lower) or self.table.get(lower, lower)


@lru_cache(maxsize=None)
def lemmatizer_for(language: str) -> Lemmatizer:
    """Lemmatizers are shared: the Swedish lookup table alone is tens of MB."""
    return Lemmatizer(language)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class NordicSpacyTokenizer(Tokenizer):
    """spaCy tokenizer and lookup lemmatizer chosen per message by its detected language."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "languages": ["nb", "sv"],
            "default_language": "nb",
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "spacy_lookups_data"]

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._lemmatizers = {language: lemmatizer_for(language) for language in config["languages"]}
        self._default = config["default_language"]

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        detection = message.get(LANGUAGE_DETECTION) or {}
        lemmatizer = self._lemmatizers.get(detection.get("language"), self._lemmatizers[self._default])
        doc = lemmatizer.nlp.make_doc(message.get(attribute))
        tokens = [
            Token(t.text, t.idx, lemma=lemmatizer.lemma(t.text))
            for t in doc
            if t.text.strip()
        ]
        return self._apply_token_pattern(tokens)
