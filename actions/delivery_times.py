"""General delivery times by service and route, from `delivery_times.yml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.choices import padded_words
from actions.texts import language_of, render
from bot.language import formatting

_TABLE = Path(__file__).with_name("delivery_times.yml")


@lru_cache(maxsize=1)
def table() -> Dict[str, Any]:
    return yaml.safe_load(_TABLE.read_text(encoding="utf-8"))


def _mentioned(kind: str, text: str) -> Optional[str]:
    """The entry of ``kind`` (services/routes) whose longest word occurs in the text."""
    padded = padded_words(text)
    best = max(
        ((len(word), name) for name, entry in table()[kind].items() for word in entry["words"] if f" {word} " in padded),
        default=None,
    )
    return best[1] if best else None


class ActionDeliveryTimes(Action):
    def name(self) -> Text:
        return "action_delivery_times"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        text = (tracker.latest_message or {}).get("text") or ""
        route = _mentioned("routes", text) or table()["default_route"][language]
        service = _mentioned("services", text)
        route_name = table()["routes"][route][language]
        if service:
            dispatcher.utter_message(
                response="utter_delivery_times_route",
                service=table()["services"][service][language], route=route_name,
                days=table()["days"][service][route],
            )
            return []
        overview = formatting.listing(
            (
                render(domain, "utter_text_days", language, service=entry[language].lower(), days=table()["days"][name][route])
                for name, entry in table()["services"].items()
            ),
            language,
        )
        dispatcher.utter_message(response="utter_delivery_times_overview", route=route_name, overview=overview)
        return []
