"""The knowledge base of service topics (knowledge/topics.yml): read, checked and rendered.

Customer-service staff edit the YAML, not code, so a mistake there must stop training and the
action server with a message that names the topic and the field, not surface as a blank answer
to a customer. Answers that depend on the carrier's data (prices, holding times, size limits) hold
placeholders that the action fills from the back-end; which placeholders a topic may use follows
from its `lookup`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

import yaml

from bot import project
from bot.language.detector import LANGUAGES

KNOWLEDGE = project.ROOT / "knowledge" / "topics.yml"
# What each lookup fills in; a topic without a lookup may use no placeholder at all.
PLACEHOLDERS: Mapping[Optional[str], frozenset] = {
    None: frozenset(),
    "price": frozenset({"price", "weight", "destination"}),
    "holding_days": frozenset({"days"}),
    "size_limits": frozenset({"limits"}),
}
TEXT_FIELDS = ("title", "answer", "phone")


class KnowledgeError(ValueError):
    """The knowledge base cannot be used as written; the message says where."""


@dataclass(frozen=True)
class TopicText:
    title: str
    answer: str
    phone: str
    questions: Tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    id: str
    owner: str
    reviewed: dt.date
    links: Mapping[str, str]
    lookup: Optional[str]
    texts: Mapping[str, TopicText]


@dataclass(frozen=True)
class KnowledgeBase:
    sites: Mapping[str, str]
    topics: Mapping[str, Topic]
    digest: str

    def link(self, topic_id: str, language: str) -> str:
        """The full address of a topic's page on the carrier's site in ``language``."""
        return self.sites[language].rstrip("/") + "/" + self.topics[topic_id].links[language].lstrip("/")

    def text(self, topic_id: str, language: str) -> TopicText:
        return self.topics[topic_id].texts[language]

    def examples(self) -> List[Tuple[str, str, str]]:
        """(question, topic id, language) for every example question."""
        return [
            (question, topic.id, language)
            for topic in self.topics.values()
            for language, text in topic.texts.items()
            for question in text.questions
        ]


def _placeholders(text: str) -> frozenset:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _topic(raw: Mapping, languages: Tuple[str, ...]) -> Topic:
    topic_id = raw.get("id")
    if not isinstance(topic_id, str) or not topic_id:
        raise KnowledgeError(f"a topic without an id: {dict(raw)!r:.120}")
    where = f"topic {topic_id!r}"
    lookup = raw.get("lookup")
    if lookup not in PLACEHOLDERS:
        raise KnowledgeError(f"{where}: lookup {lookup!r} is none of {sorted(k for k in PLACEHOLDERS if k)}")
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, dt.date):
        raise KnowledgeError(f"{where}: 'reviewed' must be a date (YYYY-MM-DD), not {reviewed!r}")
    links = raw.get("link") or {}
    texts: Dict[str, TopicText] = {}
    for language in languages:
        block = raw.get(language)
        if not isinstance(block, Mapping):
            raise KnowledgeError(f"{where}: no {language} texts")
        if not links.get(language):
            raise KnowledgeError(f"{where}: no {language} link")
        for field in TEXT_FIELDS:
            if not isinstance(block.get(field), str) or not block[field].strip():
                raise KnowledgeError(f"{where}, {language}: '{field}' is missing or empty")
            unknown = _placeholders(block[field]) - PLACEHOLDERS[lookup]
            if unknown:
                raise KnowledgeError(f"{where}, {language} {field}: {sorted(unknown)} cannot be filled by lookup {lookup!r}")
        questions = tuple(q.strip() for q in block.get("questions") or [] if isinstance(q, str) and q.strip())
        if len(questions) < 3:
            raise KnowledgeError(f"{where}, {language}: at least three example questions are needed, found {len(questions)}")
        texts[language] = TopicText(block["title"].strip(), block["answer"].strip(), block["phone"].strip(), questions)
    return Topic(topic_id, str(raw.get("owner") or ""), reviewed, dict(links), lookup, texts)


def parse(source: str, languages: Tuple[str, ...] = LANGUAGES) -> KnowledgeBase:
    """The knowledge base in ``source`` (YAML), checked; raises KnowledgeError naming what is wrong."""
    try:
        raw = yaml.safe_load(source) or {}
    except yaml.YAMLError as error:
        raise KnowledgeError(f"not valid YAML: {error}") from error
    sites = raw.get("sites") or {}
    missing = [language for language in languages if not sites.get(language)]
    if missing:
        raise KnowledgeError(f"'sites' has no address for {missing}")
    topics: Dict[str, Topic] = {}
    for entry in raw.get("topics") or []:
        topic = _topic(entry, languages)
        if topic.id in topics:
            raise KnowledgeError(f"topic {topic.id!r} is there twice")
        topics[topic.id] = topic
    if not topics:
        raise KnowledgeError("no topics")
    return KnowledgeBase(dict(sites), topics, hashlib.sha256(source.encode("utf-8")).hexdigest()[:16])


SERVICE_INTENT = "unsupported_question"  # the intent of every question about the carrier's services


@lru_cache(maxsize=4)
def load(path: Path = KNOWLEDGE) -> KnowledgeBase:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except KnowledgeError as error:
        raise KnowledgeError(f"{path}: {error}") from error
