"""The production topology under faults: customers keep talking while a Rasa process dies and the stores restart.

Every conversation is a parcel-tracking flow of two turns (the bot asks for the
number, the customer gives it), so a lost or doubled turn shows in the answers
and in the tracker that PostgreSQL holds.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any, Dict, List, Tuple

import pytest
import sqlalchemy as sa

from tests.conftest import Customer
from tests.support.answers import said
from tests.support.webchat import WebChat

pytestmark = pytest.mark.e2e

ASK = {"nb": "hei, hvor er pakken min?", "sv": "hej, var är mitt paket?"}
IN_TRANSIT = {"nb": "CP710202412NO", "sv": "RR720202417SE"}  # demo parcels of backend/demo_data.yml
CONVERSATIONS = 4  # more than the Rasa processes, so each process holds some conversations


def _language(index: int) -> str:
    return ["nb", "sv"][index % 2]


def _ask(customers: List[Customer], responses: Dict[str, Any]) -> None:
    for index, person in enumerate(customers):
        answers = person.says(ASK[_language(index)])
        assert said(answers[0], responses["utter_ask_tracking_number"][_language(index)])


def _give_numbers(customers: List[Customer], responses: Dict[str, Any]) -> None:
    for index, person in enumerate(customers):
        language = _language(index)
        answers = person.says(IN_TRANSIT[language])
        assert said(answers[0], responses["utter_shipment_in_transit"][language], tracking_number=IN_TRANSIT[language])


def _user_turns(cluster: Any, sender: str) -> List[str]:
    """What PostgreSQL holds: the customer's messages in this conversation, in order."""
    engine = sa.create_engine(cluster.tracker_database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user' ORDER BY id"),
                {"sender": sender},
            )
            return [json.loads(data)["text"] for (data,) in rows]
    finally:
        engine.dispose()


def _assert_every_turn_stored_once(cluster: Any, customers: List[Customer]) -> None:
    for index, person in enumerate(customers):
        language = _language(index)
        assert _user_turns(cluster, person.sender) == [ASK[language], IN_TRANSIT[language]]


def _customers(cluster: Any) -> List[Customer]:
    return [Customer(cluster, {"language": _language(index)}) for index in range(CONVERSATIONS)]


def _log_length(cluster: Any) -> int:
    return len(cluster.access_log.read_text().splitlines())


def _webhook_turns(cluster: Any, start: int) -> List[Tuple[int, List[int]]]:
    """Each REST turn nginx passed on since line `start` of its log: its status and the Rasa ports it tried, in order."""
    turns = []
    for line in cluster.access_log.read_text().splitlines()[start:]:
        match = re.search(r'"POST /webhooks/rest/webhook" (\d+) upstream=(.*) upstream_status=', line)
        if match:
            turns.append((int(match[1]), [int(address.rsplit(":", 1)[1]) for address in match[2].split(", ")]))
    return turns


def test_conversations_through_nginx_are_shared_by_both_rasa_processes(cluster, responses):
    seen = _log_length(cluster)
    customers = _customers(cluster)
    _ask(customers, responses)
    _give_numbers(customers, responses)
    _assert_every_turn_stored_once(cluster, customers)
    answered_by = {tried[-1] for _, tried in _webhook_turns(cluster, seen)}
    assert answered_by == set(cluster.rasa_ports)  # both took turns: conversations moved between processes


def test_web_chat_over_socketio_through_nginx(cluster, responses):
    async def chat() -> Dict[str, Any]:
        async with WebChat(cluster, language="sv") as page:
            assert page.confirmed
            await page.says(ASK["sv"])
            return await page.hears_until(lambda frame: bool(frame.get("text")))

    frames = asyncio.run(chat())
    assert said(frames[-1], responses["utter_ask_tracking_number"]["sv"])


def test_postgresql_restart_between_turns_loses_no_turn(cluster, responses):
    customers = _customers(cluster)
    _ask(customers, responses)
    cluster.restart_postgres()
    _give_numbers(customers, responses)  # none fails: every pool replaces its dead connections
    _assert_every_turn_stored_once(cluster, customers)


def test_redis_restart_between_turns_loses_no_turn(cluster, responses):
    customers = _customers(cluster)
    _ask(customers, responses)
    cluster.restart_redis()
    _give_numbers(customers, responses)
    _assert_every_turn_stored_once(cluster, customers)


def test_killed_rasa_process_mid_conversations_the_other_answers_every_turn(cluster, responses):
    customers = _customers(cluster)
    _ask(customers, responses)
    seen = _log_length(cluster)
    killed, survivor = cluster.rasa_ports
    cluster.kill_rasa(0)  # for the rest of the session: this is the last test that needs both processes
    _give_numbers(customers, responses)
    _assert_every_turn_stored_once(cluster, customers)
    turns = _webhook_turns(cluster, seen)
    assert len(turns) == CONVERSATIONS and all(status == 200 for status, _ in turns), turns
    assert all(tried[-1] == survivor for _, tried in turns), turns  # the survivor answered every turn
    assert ([killed, survivor] in [tried for _, tried in turns]), turns  # one went to the dead one first
