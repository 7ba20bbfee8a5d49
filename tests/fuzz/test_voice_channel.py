"""Hostile input on the voice gateway's channel (bot/channels/voice.py): the REST channel's refusals."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bot import secrets
from tests.fuzz.hostile import BAD_BODIES, NOT_FINITE, assert_refusal, strict_json, user_texts, with_number

pytestmark = pytest.mark.e2e


def post(assistant, body: bytes, content_type: str = "application/json", token: str = "") -> requests.Response:
    token = token or assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)]
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {token}"}
    return requests.post(f"{assistant.rasa_url}/webhooks/voice/webhook", data=body, headers=headers, timeout=60)


@pytest.mark.parametrize("name", BAD_BODIES)
def test_bad_input_from_the_gateway_gets_a_clear_refusal(assistant, name):
    body, content_type, status, code = BAD_BODIES[name]
    assert_refusal(post(assistant, body, content_type), status, code)


def test_without_the_gateways_token_nothing_is_read(assistant):
    assert_refusal(post(assistant, b"not even json", token="guess"), 401, "unauthorised")


def test_one_call_flooding_is_slowed_and_another_call_is_answered(assistant):
    flooding, other = (f"call-fuzz-{uuid.uuid4().hex}" for _ in range(2))
    with ThreadPoolExecutor(max_workers=30) as pool:
        turns = list(pool.map(lambda _: post(assistant, turn_of(flooding)), range(30)))
    refused = [answer for answer in turns if answer.status_code == 429]
    assert refused and all(answer.status_code in (200, 429) for answer in turns)
    assert_refusal(refused[0], 429, "rate_limited")
    answer = post(assistant, turn_of(other))
    assert answer.status_code == 200 and answer.json()[0]["text"]


def turn_of(call: str) -> bytes:
    return json.dumps({"sender": call, "message": "hei", "metadata": {"caller": "+4712345678"}}).encode()


def test_numbers_json_has_not_are_refused_and_the_tracker_stays_json(assistant):
    """NaN, -Infinity and 1e999999 anywhere in the body: 400, and the call's tracker stays JSON."""
    call = f"call-fuzz-{uuid.uuid4().hex}"
    assert post(assistant, turn_of(call)).status_code == 200
    for number in NOT_FINITE.values():
        assert_refusal(post(assistant, with_number(number, call)), 400, "invalid_body")
    url = f"{assistant.rasa_url}/conversations/{call}/tracker"
    stored = strict_json(requests.get(url, params={"token": assistant.rasa_token}, timeout=30).text)
    assert user_texts(stored) == ["hei"]
