"""The case card's facts: each once, the live value over the snapshot, and words for all of them in both languages."""

from __future__ import annotations

import datetime as dt

import yaml

from actions.carrier.model import Status
from bot import knowledge, project
from bot.desk import case_card
from bot.desk.app import TEXTS
from bot.handoff.records import Handoff

DESK_TEXTS = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))["desk"]


def handoff(**changes) -> Handoff:
    fields = dict(id=1, sender_id="web-1", channel="webchat", language="sv", topic="tracking", reason="angry",
                  status="assigned", summary={}, queued_at=dt.datetime(2026, 12, 7, 22, 0, tzinfo=dt.timezone.utc),
                  assigned_at=None, closed_at=None, agent_id=None, resolution=None)  # fmt: skip
    return Handoff(**{**fields, **changes})


def facts(card):
    return {(section["section"], fact["fact"]): fact["value"] for section in card for fact in section["facts"]}


def test_a_fact_the_bot_collected_twice_shows_once_with_the_live_value():
    summary = {"topic": "booking", "intent": "track_parcel", "tracking_number": "CP710202412NO",
               "slots": {"tracking_number": "CP710202412NO", "contact": "old@example.no"}}  # fmt: skip
    card = case_card.card(handoff(), summary, {"contact": "new@example.no", "requested_slot": "contact"})
    assert facts(card) == {
        ("handover", "topic"): "tracking",  # the queue's record: a transfer may have moved it since the snapshot
        ("handover", "reason"): "angry",
        ("handover", "language"): "sv",
        ("parcel", "tracking_number"): "CP710202412NO",
        ("contact", "contact"): "new@example.no",
    }
    assert [section["section"] for section in card] == ["handover", "parcel", "contact"]  # empty sections left out


def test_values_are_one_line_of_text_and_yes_no_stays_a_flag():
    card = case_card.card(handoff(), {"complaint_description": "box\n  crushed", "mail_forwarding": False}, {})
    values = {fact["fact"]: (fact["value"], fact["kind"]) for section in card for fact in section["facts"]}
    assert values["complaint_description"] == ("box crushed", "text")
    assert values["mail_forwarding"] == (False, "flag")
    assert values["reason"] == ("angry", "code")


def test_every_section_fact_and_code_on_the_card_has_words_in_both_languages():
    layout = case_card.layout()
    domain_values = {}
    for path in (project.ROOT / "domain").glob("*.yml"):
        for name, slot in (yaml.safe_load(path.read_text(encoding="utf-8")).get("slots") or {}).items():
            domain_values[name] = slot.get("values") or []
    handoff_config = yaml.safe_load((project.ROOT / "actions" / "handoff.yml").read_text(encoding="utf-8"))
    topics = handoff_config["topics"]
    domain_values["topic"] = set(topics["forms"].values()) | set(topics["intents"].values())
    domain_values["language"] = ["nb", "sv"]
    domain_values["parcel_status"] = [status.value for status in Status] + ["not_found", "unavailable"]
    # actions/handoff.py: the customer asked, or two messages not understood, else a reason from its config.
    domain_values["reason"] = ["customer_asked", "not_understood", *handoff_config["reasons_after"],
                               *handoff_config["reasons_from_channel"]]  # fmt: skip
    for language in ("nb", "sv"):
        words = DESK_TEXTS[language]
        for section, names in layout.sections:
            assert f"card_{section}" in words
            for name in names:
                assert f"summary_{name}" in words, (language, name)
        for name in layout.codes:
            for value in domain_values[name]:
                assert f"{name}_{value}" in words, (language, name, value)


def test_the_knowledge_base_topic_the_bot_answered_shows_by_its_title():
    card = case_card.card(handoff(language="nb"), {}, {"service_topic": "fraud_sms"})
    assert facts(card)[("handover", "service_topic")] == knowledge.load().text("fraud_sms", "nb").title
    assert ("handover", "service_topic") not in facts(case_card.card(handoff(), {}, {"service_topic": "no_such_topic"}))
