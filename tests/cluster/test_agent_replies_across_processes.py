"""Agents' replies reach a web chat whichever Rasa process the desk's push lands on.

On one machine nginx sends every socket.io client (all 127.0.0.1) to the same Rasa process,
while the desk's pushes are spread round-robin; so each push is sent here straight to each
process in turn, the way nginx would, and the page must hear all of them. Without a shared
message queue (WEBCHAT_MESSAGE_QUEUE, bot/channels/webchat.py) the push through the other process
is stored in the tracker but never reaches the page.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
import requests

from tests.support.webchat import WebChat

pytestmark = pytest.mark.e2e


def _push(cluster: Any, port: int, session_id: str, text: str) -> None:
    """What the desk does for an agent's reply (bot/desk/rasa_client.py), aimed at one Rasa process."""
    response = requests.post(
        f"http://127.0.0.1:{port}/conversations/{session_id}/tracker/events",
        params={"output_channel": "latest", "execute_side_effects": "true", "token": cluster.rasa_token},
        json=[{"event": "bot", "text": text, "metadata": {"agent": "Kari"}}],
        timeout=30,
    )
    response.raise_for_status()


def test_an_agents_reply_pushed_through_any_rasa_process_reaches_the_customers_page(cluster):
    async def chat() -> List[Dict[str, Any]]:
        async with WebChat(cluster, language="sv") as page:
            assert page.confirmed
            await page.says("hej, jag vill prata med en människa om mitt paket")  # the desk pushes to the latest channel
            await page.hears()
            sent = []
            for port in cluster.rasa_ports:
                text = f"Hej, jag heter Kari (via {port})"
                await asyncio.to_thread(_push, cluster, port, page.session_id, text)
                sent.append(text)
            frames = await page.hears_until(lambda frame: frame.get("text") == sent[-1])
            return [frame for frame in frames if frame.get("text") in sent]

    heard = asyncio.run(chat())
    assert [frame["text"] for frame in heard] == [f"Hej, jag heter Kari (via {port})" for port in cluster.rasa_ports]
    assert all(frame.get("agent") == "Kari" for frame in heard)
