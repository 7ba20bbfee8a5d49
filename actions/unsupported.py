"""Questions the assistant cannot answer from the back-end get an honest "not here", and a way on.

A question whose topic the knowledge base has is answered from it (actions/service_answers.py);
the rest get the honest answer below.

Prices, customs rules, proxies, stamps, jobs and the like are real postal questions, so
they sit close to the flows the bot does know: without this intent a price question
would get delivery times and a customs question a tracking prompt, both confidently
wrong. The answer names what the question was about (unsupported.yml), says where to
look and offers a person; an SMS asking for payment gets its own answer, because the
one thing the bot *can* do there is check the parcel by its tracking number.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Text, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import service_answers
from actions.texts import language_of, render
from bot.channels.ownership import VOICE
from bot.identifiers.dates import _fold as fold

TOPICS_FILE = Path(__file__).with_name("unsupported.yml")
SMS_TOPIC = "sms"


@lru_cache(maxsize=1)
def _topics() -> Tuple[Tuple[str, "re.Pattern[str]", Mapping[str, str]], ...]:
    topics: Mapping[str, Mapping[str, Any]] = yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]
    return tuple(
        (key, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in topic["words"]) + ")"), topic["name"])
        for key, topic in topics.items()
    )


def topic_of(text: str) -> Optional[Tuple[str, Mapping[str, str]]]:
    """(topic key, names by language) of the first topic whose words the question uses."""
    folded = " ".join(fold(text).split())
    return next(((key, names) for key, pattern, names in _topics() if pattern.search(folded)), None)


class ActionUnsupportedQuestion(Action):
    def name(self) -> Text:
        return "action_unsupported_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        message, language = tracker.latest_message or {}, language_of(tracker)
        known = service_answers.found_topic(message)
        if known:
            on_phone = tracker.get_latest_input_channel() == VOICE
            said = await service_answers.answer(domain, known, message.get("text") or "", language, on_phone)
            if said:
                dispatcher.utter_message(text=said, buttons=_person_button(domain, language, on_phone))
                return []
        topic = topic_of(message.get("text") or "")
        if topic is None:
            dispatcher.utter_message(response="utter_unsupported_question")
        elif topic[0] == SMS_TOPIC:
            dispatcher.utter_message(response="utter_unsupported_sms")
        else:
            dispatcher.utter_message(response="utter_unsupported_topic", topic=topic[1][language])
        return []


def _person_button(domain: Dict[Text, Any], language: str, on_phone: bool) -> List[Dict[str, str]]:
    """A way on to a person under an answer in chat; on the phone the caller says so or presses 0."""
    return [] if on_phone else [{"title": render(domain, "utter_text_talk_to_person", language), "payload": "/request_human"}]
