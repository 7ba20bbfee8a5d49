"""Tell Norwegian Bokmål from Swedish in short, informal customer messages.

Off-the-shelf language identifiers confuse the two on the short, typo-ridden
messages customers write ("hei, pakka mi?" / "hej, mitt paket?"). This one is a
multinomial naive Bayes over words and character n-grams, trained on the
project's own NLU examples, so its vocabulary is exactly the bot's domain.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Tuple

from bot.identifiers.tracking import find_tracking_numbers

LANGUAGES = ("nb", "sv")

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_NON_LINGUISTIC = re.compile(r"\S+@\S+|https?://\S+|\+?\d[\d\s\-]*")


@dataclass(frozen=True)
class Detection:
    """The most likely language of a message and how sure we are.

    ``clear`` means the message alone is strong enough evidence to switch a
    conversation's language; ``known_words`` counts the ``words`` seen in training.
    """

    language: str
    log_odds: float
    words: int
    known_words: int
    clear: bool

    def as_dict(self) -> Dict[str, Any]:
        return {
            "language": self.language,
            "log_odds": round(self.log_odds, 3),
            "words": self.words,
            "known_words": self.known_words,
            "clear": self.clear,
        }


def linguistic_words(text: str) -> List[str]:
    """Lower-cased words, without tracking numbers, e-mails, URLs and numbers."""
    spans = [(t.start, t.end) for t in find_tracking_numbers(text)]
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    text = _NON_LINGUISTIC.sub(" ", text)
    return [w.lower() for w in _WORD.findall(text)]


def _features(words: Iterable[str], ngram: int) -> List[str]:
    features: List[str] = []
    for word in words:
        features.append("w:" + word)
        padded = f"<{word}>"
        for n in range(1, ngram + 1):
            features.extend("c:" + padded[i : i + n] for i in range(len(padded) - n + 1))
    return features


class LanguageModel:
    """Naive Bayes over word and character n-gram counts, one distribution per language."""

    def __init__(
        self,
        counts: Dict[str, Dict[str, int]],
        ngram: int = 3,
        min_log_odds: float = 4.0,
        min_known_words: int = 2,
    ) -> None:
        self.counts = {lang: Counter(counts.get(lang, {})) for lang in LANGUAGES}
        self.ngram = ngram
        self.min_log_odds = min_log_odds
        self.min_known_words = min_known_words
        self._totals = {lang: sum(c.values()) for lang, c in self.counts.items()}
        self._vocabulary = len(set().union(*self.counts.values())) or 1
        self._words = set().union(
            *({f for f in c if f.startswith("w:")} for c in self.counts.values())
        )

    @classmethod
    def train(cls, samples: Iterable[Tuple[str, str]], **settings: Any) -> "LanguageModel":
        """Counts features of (text, language) samples."""
        ngram = settings.get("ngram", 3)
        counts: Dict[str, Counter] = {lang: Counter() for lang in LANGUAGES}
        for text, language in samples:
            if language in counts:
                counts[language].update(_features(linguistic_words(text), ngram))
        return cls({k: dict(v) for k, v in counts.items()}, **settings)

    def detect(self, text: str, default: str) -> Detection:
        """Language of ``text``; ``default`` when it holds no word at all."""
        words = linguistic_words(text)
        known = sum(1 for w in words if "w:" + w in self._words)
        if not words:
            return Detection(default, 0.0, 0, 0, False)
        scores = {lang: self._log_likelihood(_features(words, self.ngram), lang) for lang in LANGUAGES}
        best, other = sorted(LANGUAGES, key=lambda lang: scores[lang], reverse=True)
        log_odds = scores[best] - scores[other]
        clear = log_odds >= self.min_log_odds and known >= self.min_known_words
        return Detection(best, log_odds, len(words), known, clear)

    def _log_likelihood(self, features: List[str], language: str) -> float:
        counts, total = self.counts[language], self._totals[language]
        denominator = math.log(total + self._vocabulary)
        return sum(math.log(counts.get(f, 0) + 1) - denominator for f in features)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "counts": {lang: dict(c) for lang, c in self.counts.items()},
            "ngram": self.ngram,
            "min_log_odds": self.min_log_odds,
            "min_known_words": self.min_known_words,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "LanguageModel":
        return cls(**data)
