"""A bystander: an ordinary conversation that goes on beside the hostile input and must not notice it."""

from __future__ import annotations

import uuid
from typing import Any, List

import pytest
import requests

from tests.fuzz.hostile import user_texts

NUMBER = "CP710202412NO"  # seeded in the reference back-end (tests/support/contact_centre.py)
QUESTION = f"hvor er pakken {NUMBER}"


class Bystander:
    """A customer on the REST channel asking about a parcel, again and again, between the attacks."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.sender = f"bystander-{uuid.uuid4().hex}"
        self.sent: List[str] = []

    def still_answered(self) -> None:
        response = requests.post(self.assistant.rest_url, json={"sender": self.sender, "message": QUESTION}, timeout=60)
        self.sent.append(QUESTION)
        assert response.status_code == 200, response.text[:300]
        assert any(NUMBER in (answer.get("text") or "") for answer in response.json()), response.json()

    def tracker_untouched(self) -> None:
        url = f"{self.assistant.rasa_url}/conversations/{self.sender}/tracker"
        tracker = requests.get(url, params={"token": self.assistant.rasa_token}, timeout=30).json()
        assert user_texts(tracker) == self.sent


@pytest.fixture(scope="module")
def bystander(assistant) -> Any:
    """One per module; after the module its tracker must hold exactly what it said, nothing of the attacks."""
    person = Bystander(assistant)
    yield person
    person.tracker_untouched()
