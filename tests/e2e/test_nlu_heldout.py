"""The chosen pipeline understands customers it never saw, in each language."""

import pytest
import requests

from bot.evaluation import MINIMUM_INTENT_ACCURACY, heldout_examples, score

pytestmark = pytest.mark.e2e

def test_heldout_intent_accuracy_and_exact_tracking_numbers_per_language(assistant):
    url = f"{assistant.rasa_url}/model/parse"
    token = {"token": assistant.rasa_token}  # Rasa's HTTP API needs it (bot/secrets.py)
    scores = score(heldout_examples(), lambda text: requests.post(url, params=token, json={"text": text}, timeout=60).json())
    report = {lang: s.summary() for lang, s in scores.items()}
    assert set(report) == {"nb", "sv"}
    for language, s in scores.items():
        assert s.intent_accuracy >= MINIMUM_INTENT_ACCURACY, (language, report, s.errors)
        assert s.tracking_exact == s.tracking_expected, (language, report)
