"""Hostile input on the REST channel (bot/channels/rest.py): a clear 4xx, never a crash or a lost turn."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.fuzz.hostile import (
    BAD_BODIES,
    NOT_FINITE,
    WEIRD_BUT_VALID,
    assert_refusal,
    strict_json,
    user_texts,
    with_number,
)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bad_input_gets_a_clear_refusal_and_other_conversations_go_on(assistant, bystander, name):
    body, content_type, status, code = BAD_BODIES[name]
    response = requests.post(assistant.rest_url, data=body, headers={"Content-Type": content_type}, timeout=60)
    assert_refusal(response, status, code)
    bystander.still_answered()


@pytest.mark.parametrize("name", WEIRD_BUT_VALID)
def test_strange_but_valid_text_is_answered_and_kept_unchanged(assistant, bystander, name):
    text, sender = WEIRD_BUT_VALID[name], f"fuzz-valid-{uuid.uuid4().hex}"
    response = requests.post(assistant.rest_url, json={"sender": sender, "message": text}, timeout=120)
    assert response.status_code == 200 and response.json(), response.text[:300]
    assert all(answer["recipient_id"] == sender for answer in response.json())
    url = f"{assistant.rasa_url}/conversations/{sender}/tracker"
    assert user_texts(requests.get(url, params={"token": assistant.rasa_token}, timeout=30).json()) == [text]
    bystander.still_answered()


def test_a_wrong_input_channel_type_is_refused(assistant):
    body = {"sender": f"fuzz-{uuid.uuid4().hex}", "message": "hei", "input_channel": ["webchat"]}
    assert_refusal(requests.post(assistant.rest_url, json=body, timeout=60), 422, "invalid_input_channel")


def test_a_curl_style_form_content_type_with_a_json_body_still_works(assistant):
    """README's `curl -d '{...}'` sends application/x-www-form-urlencoded; Rasa's channel accepted it."""
    body = json.dumps({"sender": f"fuzz-{uuid.uuid4().hex}", "message": "hei"})
    response = requests.post(
        assistant.rest_url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=60
    )
    assert response.status_code == 200 and response.json()


def test_streaming_still_works_for_a_valid_turn(assistant):
    body = {"sender": f"fuzz-{uuid.uuid4().hex}", "message": "hei"}
    response = requests.post(assistant.rest_url, params={"stream": "true"}, json=body, timeout=60)
    lines = [json.loads(line) for line in response.text.splitlines() if line.strip()]
    assert response.status_code == 200 and lines and all(line["recipient_id"] == body["sender"] for line in lines)


def test_a_flooding_client_is_slowed_while_another_is_answered(assistant, bystander):
    """30 messages at once from one conversation: the burst (20) passes, the rest get 429 with Retry-After."""
    flooder = f"fuzz-flood-{uuid.uuid4().hex}"

    def send(_: int) -> requests.Response:
        return requests.post(assistant.rest_url, json={"sender": flooder, "message": "hei"}, timeout=120)

    with ThreadPoolExecutor(max_workers=30) as pool:
        flood = [pool.submit(send, n) for n in range(30)]
        bystander.still_answered()
        answers = [future.result() for future in flood]
    limited = [answer for answer in answers if answer.status_code == 429]
    assert limited and all(answer.status_code in (200, 429) for answer in answers)
    assert_refusal(limited[0], 429, "rate_limited")
    assert int(limited[0].headers["Retry-After"]) >= 1
    url = f"{assistant.rasa_url}/conversations/{flooder}/tracker"
    accepted = user_texts(requests.get(url, params={"token": assistant.rasa_token}, timeout=30).json())
    assert len(accepted) == 30 - len(limited)  # every answered turn is in the tracker, no refused one is


def test_numbers_json_has_not_are_refused_and_the_tracker_stays_json(assistant):
    """NaN, -Infinity and 1e999999 in metadata were stored, and the tracker was no longer JSON."""
    sender = f"fuzz-finite-{uuid.uuid4().hex}"
    assert requests.post(assistant.rest_url, json={"sender": sender, "message": "hei"}, timeout=60).status_code == 200
    for number in NOT_FINITE.values():
        headers = {"Content-Type": "application/json"}
        response = requests.post(assistant.rest_url, data=with_number(number, sender), headers=headers, timeout=60)
        assert_refusal(response, 400, "invalid_body")
    url = f"{assistant.rasa_url}/conversations/{sender}/tracker"
    stored = strict_json(requests.get(url, params={"token": assistant.rasa_token}, timeout=30).text)
    assert user_texts(stored) == ["hei"]
