"""The training data is what the bot learns from: enough of it, in both languages, and honest."""

import re
from collections import Counter

import pytest
import yaml

from bot import knowledge, project
from bot.evaluation import heldout_examples, topic_questions
from bot.identifiers.tracking import parse_tracking_number

INTENTS = [
    "greet", "goodbye", "thank", "affirm", "deny", "track_parcel", "change_address", "delivery_times",
    "book_delivery", "complaint", "opening_hours", "request_human", "bot_challenge", "out_of_scope", "stop", "inform", "unsupported_question",
]


@pytest.mark.parametrize("language", ["nb", "sv"])
def test_every_intent_has_at_least_40_examples_per_language(training_examples, language):
    counts = Counter(e["intent"] for e in training_examples if e["language"] == language)
    assert {intent: counts[intent] for intent in INTENTS if counts[intent] < 40} == {}
    assert set(counts) == set(INTENTS)


def test_every_example_says_its_language(training_examples):
    assert [e["text"] for e in training_examples if e["language"] not in ("nb", "sv")] == []


def test_annotated_tracking_numbers_are_valid():
    pattern = re.compile(r"\[([^\]]+)\]\(tracking_number\)")
    invalid = []
    for file in sorted((project.DATA / "nlu").rglob("*.yml")) + sorted(project.HELDOUT.glob("heldout_*.yml")):
        invalid += [(file.name, v) for v in pattern.findall(file.read_text()) if parse_tracking_number(v) is None]
    assert invalid == []


def test_the_demo_parcels_are_never_trained_on():
    """The tests and the conversation suite track the demo parcels: a demo number in one intent's
    examples made DIET read "var är <that number>" as that intent at confidence 1.0."""
    demo = yaml.safe_load((project.ROOT / "backend" / "demo_data.yml").read_text(encoding="utf-8"))
    numbers = {parse_tracking_number(s["tracking_number"]).value for s in demo["shipments"]}
    text = "".join(file.read_text(encoding="utf-8") for file in (project.DATA / "nlu").rglob("*.yml"))
    annotated = re.findall(r"\[([^\]]+)\]\(tracking_number\)", text)
    trained = {parsed.value for parsed in map(parse_tracking_number, annotated) if parsed}
    assert not numbers & trained


def test_heldout_examples_are_never_trained_on(training_examples):
    trained = {e["text"].lower().strip() for e in training_examples}
    heldout = heldout_examples()
    assert {e.language for e in heldout} == {"nb", "sv"}
    assert all(sum(1 for e in heldout if e.language == lang and e.intent == i) >= 10 for lang in ("nb", "sv") for i in INTENTS)
    assert [e.text for e in heldout if e.text.lower().strip() in trained] == []


def test_every_response_exists_in_norwegian_and_swedish():
    """For the chat and, where a response has a phone variant (`channel: voice`), for the phone too."""
    missing = []
    for file in sorted(project.DOMAIN.glob("*.yml")):
        for name, variations in (yaml.safe_load(file.read_text()).get("responses") or {}).items():
            for channel in {None, *(v.get("channel") for v in variations)}:
                languages = [
                    c["value"]
                    for v in variations
                    if v.get("channel") == channel
                    for c in v.get("condition", [])
                    if c["name"] == "language"
                ]
                if sorted(languages) != ["nb", "sv"] or len(languages) != 2:
                    missing.append((file.name, name, channel, languages))
    assert missing == []


def test_the_fresh_topic_questions_are_never_trained_on(training_examples):
    """tests/knowledge/ measures the knowledge base on questions its examples and the NLU data never held."""
    trained = {e["text"].lower().strip() for e in training_examples}
    trained |= {question.lower().strip() for question, _, _ in knowledge.load().examples()}
    fresh = topic_questions()
    assert {q.language for q in fresh} == {"nb", "sv"}
    assert [q.text for q in fresh if q.text.lower().strip() in trained] == []
    assert {q.topic for q in fresh if q.topic} <= set(knowledge.load().topics)
