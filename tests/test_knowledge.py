"""The knowledge base staff edit: the shipped one is complete in both languages, and a mistake in it is
refused with a message naming the topic and the field rather than reaching a customer as a blank answer."""

import pytest

from bot import knowledge
from bot.knowledge import KnowledgeError, parse

GOOD_TOPIC = """
  - id: {id}
    owner: kundeservice
    reviewed: 2026-12-07
    link: {{nb: /a, sv: /b}}
    lookup: {lookup}
    nb: {{title: Tittel, answer: "{answer}", phone: Telefon, questions: [en, to, tre]}}
    sv: {{title: Titel, answer: Svar, phone: Telefon, questions: [ett, två, tre]}}
"""


def source(*topics: str) -> str:
    return "sites: {nb: https://a.example, sv: https://b.example}\ntopics:" + "".join(topics)


def topic(id="t", lookup="null", answer="Svar") -> str:
    return GOOD_TOPIC.format(id=id, lookup=lookup, answer=answer)


def test_the_shipped_knowledge_base_is_complete_in_both_languages():
    base = knowledge.load()
    assert len(base.topics) >= 40
    for topic_id, entry in base.topics.items():
        assert set(entry.texts) == {"nb", "sv"}
        for language in ("nb", "sv"):
            assert base.link(topic_id, language).startswith("https://")
            assert len(entry.texts[language].questions) >= 3
    assert {t.lookup for t in base.topics.values()} == {None, "price", "holding_days", "size_limits"}


def test_a_link_is_the_site_of_the_language_and_the_path():
    base = parse(source(topic()))
    assert base.link("t", "nb") == "https://a.example/a" and base.link("t", "sv") == "https://b.example/b"


def test_placeholders_of_a_lookup_are_allowed():
    assert parse(source(topic(lookup="price", answer="{price} for {weight} to {destination}"))).topics["t"].lookup == "price"


@pytest.mark.parametrize("text, complaint", [
    (source(topic(answer="koster {price}")), "cannot be filled by lookup None"),
    (source(topic(lookup="holding_days", answer="{price}")), "cannot be filled"),
    (source(topic(lookup="weather")), "lookup 'weather'"),
    (source(topic(), topic()), "there twice"),
    (source(topic().replace("reviewed: 2026-12-07", "reviewed: last week")), "must be a date"),
    (source(topic().replace("    sv: {title: Titel", "    se: {title: Titel")), "no sv texts"),
    (source(topic().replace("answer: \"Svar\"", "answer: \"\"")), "'answer' is missing or empty"),
    (source(topic().replace("questions: [en, to, tre]", "questions: [en]")), "at least three"),
    ("sites: {nb: https://a.example}\ntopics:" + topic(), "no address for ['sv']"),
    ("topics: [\n", "not valid YAML"),
])
def test_a_mistake_is_refused_with_where_it_is(text, complaint):
    with pytest.raises(KnowledgeError, match=complaint.replace("(", r"\(").replace("[", r"\[")):
        parse(text)

