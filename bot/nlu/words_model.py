"""A linear model over words and character n-grams: the steady classifier beside DIET.

Used for the intent (bot/nlu/intent_blend.py) and for the service topic of a question
(bot/nlu/service_topic.py). Logistic regression over TF-IDF is convex, so the same examples always
give the same model, it trains in seconds, and it is stored without pickle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

VOCABULARY_FILE, WEIGHTS_FILE = "vocabulary.json", "weights.npz"


def _features() -> List[TfidfVectorizer]:
    """TF-IDF over words and word pairs and over character n-grams inside words.

    Character n-grams carry what customers misspell or write without æøå/åäö ("leveringsdag",
    "leveringsdg", "levringsdag" share most of theirs); word pairs carry negation ("ikke riktig").
    """
    return [
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    ]


def words_model(c: float) -> Pipeline:
    """The features, then a logistic regression."""
    return make_pipeline(make_union(*_features()), LogisticRegression(C=c, max_iter=3000))


def save_words_model(model: Pipeline, directory: Path) -> None:
    """Vocabularies as JSON and numbers as a plain npz: no pickle, so loading a model runs no code.

    A fitted pipeline pickled or stored with skops is 8 to 47 MB; this is about 3 MB.
    """
    union, regression = model.steps[0][1], model.steps[-1][1]
    vectorizers = [vectorizer for _, vectorizer in union.transformer_list]
    vocabularies = [{term: int(index) for term, index in v.vocabulary_.items()} for v in vectorizers]
    (directory / VOCABULARY_FILE).write_text(json.dumps(vocabularies, ensure_ascii=False), encoding="utf-8")
    np.savez_compressed(
        directory / WEIGHTS_FILE,
        classes=np.asarray(regression.classes_, dtype=str),
        coef=regression.coef_.astype(np.float32),
        intercept=regression.intercept_.astype(np.float32),
        **{f"idf_{i}": v.idf_ for i, v in enumerate(vectorizers)},
    )


def load_words_model(directory: Path, c: float) -> Pipeline:
    vocabularies = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
    with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as weights:
        vectorizers = _features()
        for i, (vectorizer, vocabulary) in enumerate(zip(vectorizers, vocabularies)):
            vectorizer.set_params(vocabulary=vocabulary)
            vectorizer.idf_ = weights[f"idf_{i}"]
        regression = LogisticRegression(C=c)
        regression.classes_ = weights["classes"]
        regression.coef_ = weights["coef"].astype(np.float64)
        regression.intercept_ = weights["intercept"].astype(np.float64)
    return make_pipeline(make_union(*vectorizers), regression)


class WordsModelComponent(GraphComponent):
    """The Rasa plumbing of a component whose model is a words model: made, trained and stored, loaded.

    Subclasses say what they train on (`train`, calling `fit`) and what they do with the model
    (`process`); their config has `c`, the regression's inverse regularisation.
    """

    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, model: Optional[Pipeline] = None
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, execution_context: ExecutionContext
    ) -> "WordsModelComponent":
        return cls(config, model_storage, resource)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Resource:
        """Train on ``texts`` labelled ``labels`` and store the model in the component's resource."""
        if len(set(labels)) < 2:
            raise ValueError(f"{type(self).__name__} needs examples of at least two classes")
        self._model = words_model(self._config["c"]).fit(list(texts), list(labels))
        with self._model_storage.write_to(self._resource) as directory:
            save_words_model(self._model, directory)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "WordsModelComponent":
        config = {**cls.get_default_config(), **config}
        with model_storage.read_from(resource) as directory:
            return cls(config, model_storage, resource, load_words_model(directory, config["c"]))
