"""A terminal chat with a running assistant over its REST webhook, as a web page would talk to it."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

import requests


def send(url: str, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    response = requests.post(url, json={"sender": sender, "message": text, "metadata": metadata or {}}, timeout=60)
    response.raise_for_status()
    return response.json()


def chat(url: str, language: Optional[str] = None) -> None:
    """Read lines from the terminal; a number picks the matching button of the last answer."""
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    metadata = {"language": language} if language else {}
    buttons: List[Dict[str, str]] = []
    print("Skriv til assistenten / Skriv till assistenten (Ctrl-D avslutter / avslutar).")
    while True:
        try:
            text = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            answers = send(url, sender, text, metadata)
        except requests.RequestException as error:
            print(f"! The assistant at {url} did not answer: {error}")
            continue
        buttons = []
        for answer in answers:
            if answer.get("text"):
                print(answer["text"])
            for button in answer.get("buttons", []):
                buttons.append(button)
                print(f"  [{len(buttons)}] {button['title']}")
