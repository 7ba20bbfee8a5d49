"""The channels' shared rules without a server: what a turn may be, and how the token buckets refill."""

from __future__ import annotations

import dataclasses

import pytest

from bot.channels import settings, validation
from bot.channels.rate_limit import ClientLimits, TokenBuckets
from tests.fuzz.hostile import BAD_TEXTS, WEIRD_BUT_VALID, deep


class Clock:
    """Time that moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_web_chat_widget_and_the_channels_share_one_message_limit():
    from bot import project

    widget = (project.ROOT / "bot/desk/static/widget.js").read_text(encoding="utf-8")
    assert f"var MAX_MESSAGE_CHARACTERS = {settings.load().max_message_characters};" in widget


@pytest.mark.parametrize("name", BAD_TEXTS)
def test_every_channel_refuses_the_same_bad_texts(name):
    text, code = BAD_TEXTS[name]
    assert validation.check_turn("kari", text).code == code


@pytest.mark.parametrize("name", WEIRD_BUT_VALID)
def test_strange_but_valid_text_passes(name):
    assert validation.check_turn("kari", WEIRD_BUT_VALID[name], {"language": "nb"}) is None


def test_metadata_as_deep_as_the_limit_passes_and_one_level_more_is_refused():
    depth = settings.load().max_metadata_depth
    assert validation.check_turn("kari", "hei", deep(depth)) is None
    assert validation.check_turn("kari", "hei", deep(depth + 1)).code == "invalid_metadata"


def test_a_bucket_lets_the_burst_through_then_one_per_refill():
    clock = Clock()
    buckets = TokenBuckets(settings.Rate(per_second=2, burst=3), max_keys=10, clock=clock)
    assert [buckets.take("kari") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("kari") == pytest.approx(0.5)  # a refused turn spends nothing
    assert buckets.take("ola") == 0.0  # another client has its own bucket
    clock.now += 0.5
    assert buckets.take("kari") == 0.0 and buckets.take("kari") > 0


def test_forgotten_clients_start_with_a_full_bucket_and_memory_stays_bounded():
    clock = Clock()
    buckets = TokenBuckets(settings.Rate(per_second=1, burst=1), max_keys=2, clock=clock)
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0
    buckets.take("b"), buckets.take("c")  # "a" is the least recently seen: forgotten
    assert len(buckets._buckets) == 2 and buckets.take("a") == 0.0


def test_the_address_limit_stops_a_client_inventing_new_senders():
    tight = dataclasses.replace(settings.load(), per_ip=settings.Rate(per_second=1, burst=5))
    limits = ClientLimits(tight)
    waits = [limits.check_ip("10.0.0.9") or limits.check_sender(f"new-{n}") for n in range(6)]
    assert waits[:5] == [0] * 5 and waits[5] >= 1
    assert limits.check_ip("10.0.0.10") == 0  # someone else's address is untouched


def test_each_channel_has_its_own_namespace_of_conversation_ids():
    from bot.channels import ownership

    web_chat, call, rest = "0123456789abcdef" * 2, "call-0123", "kari-1"
    assert [ownership.channel_of(sender) for sender in (web_chat, call, rest)] == ["webchat", "voice", "rest"]
    assert ownership.channel_of(web_chat.upper()) == "rest"  # not an id the desk issues: a conversation of its own
    assert ownership.refusal("rest", rest) is None and ownership.refusal("voice", call) is None
    assert ownership.refusal("rest", web_chat).code == ownership.refusal("voice", rest).code == "foreign_conversation"


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e999999", "-1e400"])
def test_numbers_json_has_not_are_not_read_and_metadata_holding_them_is_refused(number):
    assert validation.parse_body(f'{{"amount": {number}}}'.encode(), "application/json").code == "invalid_body"
    assert validation.check_turn("kari", "hei", {"a": [float(number)]}).code == "invalid_metadata"


def test_public_channels_drop_what_only_the_server_sets_and_keep_the_rest():
    metadata = {"language": "sv", "handoff_reason": "caller_silent", "caller": "+4712345678", "shop": "42"}
    assert validation.public_metadata(metadata, "rest") == {"language": "sv", "shop": "42"}
