"""The word model beside DIET: trained, stored and loaded through Rasa's real model storage, blended with
DIET's ranking so that it decides where DIET is unsure, and stored without pickle."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_blend import IntentBlend, blend
from bot.nlu.words_model import load_words_model, save_words_model, words_model

EXAMPLES = {
    "track_parcel": ["hvor er pakka mi", "var är mitt paket", "har pakken min kommet", "spåra paket tack",
                     "kor e pakken", "när kommer paketet fram"],
    "opening_hours": ["når åpner dere", "vilka öppettider har ni", "åpningstider på lørdag", "hur dags stänger ni",
                      "er dere åpne i morgen", "öppet på söndag?"],
    "request_human": ["kan jeg snakke med et menneske", "vill prata med en person", "sett meg over til en ansatt",
                      "jag vill ha en riktig människa", "få snakke med noen", "koppla mig till handläggare"],
}


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _trained(storage: LocalModelStorage) -> IntentBlend:
    component = IntentBlend.create({}, storage, Resource("blend"), _context())
    data = TrainingData([Message(data={TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts])
    component.train(data)
    return IntentBlend.load({}, storage, Resource("blend"), _context())


def _message(text: str, diet: dict) -> Message:
    ranking = [{"name": name, "confidence": confidence} for name, confidence in diet.items()]
    return Message(data={TEXT: text, INTENT: ranking[0] if ranking else None, INTENT_RANKING_KEY: ranking})


def test_the_word_model_decides_where_diet_is_unsure(storage):
    blended = _trained(storage).process([_message("hvor er pakken min nå", {"opening_hours": 0.5, "track_parcel": 0.45})])[0]
    assert blended.get(INTENT)["name"] == "track_parcel"


def test_a_confident_diet_breaks_near_ties_only():
    """With the default weight DIET alone cannot outvote a word model that clearly disagrees, but it breaks near-ties."""
    scores = blend({"a": 1.0}, {"a": 0.45, "b": 0.55}, diet_weight=0.3, sharpness=2.0)
    assert max(scores, key=scores.get) == "a"
    assert sum(scores.values()) == pytest.approx(1.0)
    outvoted = blend({"a": 1.0}, {"a": 0.1, "b": 0.9}, diet_weight=0.3, sharpness=2.0)
    assert max(outvoted, key=outvoted.get) == "b"


def test_the_ranking_is_sorted_and_the_intent_is_its_head(storage):
    message = _trained(storage).process([_message("åpner dere på lørdag", {})])[0]
    ranking = message.get(INTENT_RANKING_KEY)
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert message.get(INTENT) == ranking[0]
    assert ranking[0]["name"] == "opening_hours"


def test_the_stored_model_answers_as_the_trained_one(tmp_path):
    texts = [text for texts in EXAMPLES.values() for text in texts]
    model = words_model(20.0).fit(texts, [intent for intent, examples in EXAMPLES.items() for _ in examples])
    save_words_model(model, tmp_path)
    loaded = load_words_model(tmp_path, 20.0)
    probes = ["kor e pakka mi nå", "öppet imorgon?", "vil snakke med en person", "ord som ingen har sett"]
    assert list(loaded.classes_) == list(model.classes_)
    assert loaded.predict_proba(probes) == pytest.approx(model.predict_proba(probes), abs=1e-5)


def test_training_on_one_intent_is_a_clear_error(storage):
    component = IntentBlend.create({}, storage, Resource("blend"), _context())
    with pytest.raises(ValueError, match="two classes"):
        component.train(TrainingData([Message(data={TEXT: "hei", INTENT: "greet"})]))
