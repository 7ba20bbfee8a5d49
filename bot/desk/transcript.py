"""A conversation as people read it, built from the events in Rasa's tracker.

Both the customer's page (history after a reload or reconnect) and the agent's
view use it, so both see the same conversation: customer messages, the bot's
answers with their buttons, and agents' replies signed with a first name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterable, List, Optional

CUSTOMER, BOT, AGENT = "customer", "bot", "agent"


def messages(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """User and bot events in order; a pressed button shows as its title, external events are left out."""
    result: List[Dict[str, Any]] = []
    offered: List[Dict[str, str]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user" and not _is_external(event):
            result.append(_message(CUSTOMER, _customer_text(event.get("text") or "", offered), event))
        elif kind == "bot" and event.get("text"):
            metadata = event.get("metadata") or {}
            offered = _buttons(event.get("data") or {})
            agent = metadata.get("agent")
            result.append(
                {**_message(AGENT if agent else BOT, event["text"], event), "agent": agent, "buttons": offered}
            )
    return result


def _message(role: str, text: str, event: Dict[str, Any]) -> Dict[str, Any]:
    return {"role": role, "text": text, "agent": None, "buttons": [], "at": _iso(event.get("timestamp"))}


def _is_external(event: Dict[str, Any]) -> bool:
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
    return intent.startswith("EXTERNAL_")


def _customer_text(text: str, offered: List[Dict[str, str]]) -> str:
    for button in offered:
        if button["payload"] == text:
            return button["title"]
    return text


def _buttons(data: Dict[str, Any]) -> List[Dict[str, str]]:
    return [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in (data.get("buttons") or data.get("quick_replies") or [])
        if isinstance(button, dict)
    ]


def _iso(timestamp: Optional[float]) -> Optional[str]:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(float(timestamp), dt.timezone.utc).isoformat(timespec="seconds")
