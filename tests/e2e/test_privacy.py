"""Privacy with the real assistant: what customers write is redacted in every server's log, a supervisor
can have everything about a customer deleted, and the desk runs the retention purge by itself."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import project
from bot.desk import survey_tables
from bot.desk.kpis import events
from bot.handoff import tables as handoff_tables
from bot.sql import connect
from tests.e2e.test_address_change import orders_of, up_to_summary
from tests.privacy.personal_data import swedish_test_number, synthetic_fodselsnummer
from tests.support.answers import said
from tests.support.desk import DeskUser, add_user
from tests.support.webchat import WebChat

pytestmark = pytest.mark.e2e


def logs(assistant) -> Dict[str, str]:
    return {path.name: path.read_text(errors="replace") for path in Path(assistant.log_dir).glob("*.log")}


def test_personal_data_in_a_message_reaches_no_servers_log(assistant, customer):
    fodselsnummer = synthetic_fodselsnummer(3, 4, 1977)
    email = f"ola.{uuid.uuid4().hex[:8]}@example.no"
    customer(language="nb").says(
        f"hei, fødselsnummeret mitt er {fodselsnummer}, e-post {email} og mobil +47 415 86 239"
    )

    written = logs(assistant)
    for name, text in written.items():
        for raw in (fodselsnummer, email, "415 86 239", "41586239"):
            assert raw not in text, f"{raw} in {name}"
    assert "[fødselsnummer]" in written["rasa.log"]  # Rasa logged the message (DEBUG), masked
    assert "[e-post]" in written["rasa.log"] and "[telefon]" in written["rasa.log"]


def shipment_lookups(assistant) -> List[str]:
    """The back-end's request lines that looked a shipment up."""
    return [line for line in logs(assistant).get("backend.log", "").splitlines() if "/v1/shipments/" in line]


@pytest.mark.parametrize(
    "language, opening",
    [("nb", "hvor er pakka mi? sporingsnr {}"), ("sv", "var e mitt paket?? spårningsnr {}")],
)
def test_a_personnummer_without_hyphen_is_never_looked_up_and_the_customer_is_told_not_to_share_it(
    assistant, customer, responses, language, opening
):
    number = swedish_test_number("811218")  # 10 digits, a valid day and Luhn digit: no hyphen, no century
    spaced = f"{number[:6]} {number[6:]}"
    before = shipment_lookups(assistant)
    person = customer(language=language)

    for message in (opening.format(spaced), number):  # in the request, then alone when asked for the number
        answers = person.says(message)
        warning = responses["utter_national_id_not_shared"][language]
        assert any(said(answer, warning) for answer in answers), answers
        assert said(answers[-1], responses["utter_ask_tracking_number"][language]), answers

    assert shipment_lookups(assistant) == before
    tracker = person.tracker()
    assert tracker["slots"]["tracking_number"] is None
    entities = [entity for e in tracker["events"] if e["event"] == "user" for entity in e["parse_data"]["entities"]]
    assert not any(char.isdigit() for entity in entities for char in str(entity["value"])), entities
    for name, text in logs(assistant).items():
        assert number not in text and spaced not in text, name
    assert "[personnummer]" in logs(assistant)["rasa.log"]  # Rasa logged the message (DEBUG), masked


def test_the_backend_masks_personal_data_in_its_log(assistant):
    fodselsnummer = synthetic_fodselsnummer(15, 3, 1985)
    grouped = f"{fodselsnummer[:6]}-{fodselsnummer[6:]}"  # DDMMYY-IIIKK
    email = f"kari.{uuid.uuid4().hex[:8]}@example.no"
    for path in (grouped, email):
        assert requests.get(f"{assistant.backend_url}/v1/shipments/{path}", timeout=10).status_code in (400, 404)
    deadline = time.monotonic() + 10
    while "[e-post]" not in logs(assistant)["backend.log"] and time.monotonic() < deadline:
        time.sleep(0.2)  # the access log line is written just after the answer
    written = logs(assistant)["backend.log"]
    assert "[fødselsnummer]" in written and "[e-post]" in written
    for raw in (fodselsnummer, grouped, email):
        assert raw not in written


@pytest.fixture(scope="module")
def agent(assistant, supervisor):
    return DeskUser(assistant, add_user(assistant, "Per"))


def stored(assistant, sender: str) -> Dict[str, int]:
    """Rows about `sender` in Rasa's tracker store and the desk's database."""
    h, notes = handoff_tables.handoffs, handoff_tables.notes
    surveys = survey_tables.surveys
    tracker, desk_db = connect(f"sqlite:///{assistant.tracker_db}"), connect(assistant.desk_database_url)
    try:
        with tracker.connect() as t, desk_db.connect() as d:
            count = lambda c, table, where: c.execute(select(func.count()).select_from(table).where(where)).scalar_one()  # noqa: E731
            return {
                "events": count(t, events, events.c.sender_id == sender),
                "handoffs": count(d, h, h.c.sender_id == sender),
                "notes": count(d, notes, notes.c.handoff_id.in_(select(h.c.id).where(h.c.sender_id == sender))),
                "surveys": count(d, surveys, surveys.c.session_id == sender),
            }
    finally:
        tracker.dispose()
        desk_db.dispose()


def test_a_supervisor_deletes_everything_about_a_customer_and_nothing_about_others(
    assistant, supervisor, agent, customer
):
    async def handed_over_chat():
        async with WebChat(assistant, "nb") as chat:
            await chat.says("kan jeg snakke med en person")
            await chat.hears_until(lambda frame: frame.get("handoff") == "waiting")
            return chat.session

    session = asyncio.run(handed_over_chat())
    sender = session["session_id"]
    handoff = supervisor.handoff_of(sender)
    assert supervisor.post(f"/api/handoffs/{handoff['id']}/claim").status_code == 200
    assert (
        supervisor.post(f"/api/handoffs/{handoff['id']}/notes", {"text": "kunden venter på en pakke"}).status_code
        == 201
    )
    assert supervisor.post(f"/api/handoffs/{handoff['id']}/close", {"resolution": "answered"}).status_code == 200
    survey = {**session, "language": "nb", "satisfaction": 4, "nps": 8}
    assert requests.post(f"{assistant.desk_url}/chat/api/survey", json=survey, timeout=30).status_code == 201
    other = customer(language="nb")
    other.says("hei")
    other_before = stored(assistant, other.sender)
    before = stored(assistant, sender)
    assert before["events"] > 0 and before["handoffs"] == before["notes"] == before["surveys"] == 1

    path = f"{assistant.desk_url}/api/privacy/senders/{sender}"
    assert requests.delete(path, timeout=30).status_code == 401
    assert agent.http.delete(path, timeout=30).status_code == 403
    assert stored(assistant, sender) == before
    answer = supervisor.http.delete(path, timeout=60)

    assert answer.status_code == 200, answer.text
    deleted = answer.json()["deleted"]
    assert {kind: deleted[kind] for kind in before} == before
    assert stored(assistant, sender) == {"events": 0, "handoffs": 0, "notes": 0, "surveys": 0}
    assert stored(assistant, other.sender) == other_before
    tracker = requests.get(
        f"{assistant.rasa_url}/conversations/{sender}/tracker", params={"token": assistant.rasa_token}, timeout=30
    ).json()
    assert [e for e in tracker["events"] if e["event"] in ("user", "bot")] == []
    assert [e["text"] for e in other.tracker()["events"] if e["event"] == "user"] == ["hei"]
    audit = [line for line in logs(assistant)["desk.log"].splitlines() if "kundesenter.audit" in line]
    assert any(answer.json()["sender"] in line and "erased" in line for line in audit)
    assert not any(sender in line for line in audit)  # the audit log names a pseudonym, not the conversation


def test_the_desk_purges_old_data_by_itself_and_logs_the_counts(assistant):
    assert "retention purge (older than" in logs(assistant)["desk.log"]


def test_forget_reaches_the_back_end_and_leaves_no_trace_in_the_database_files(assistant, customer, responses, backend):
    """A conversation that placed an order, then `kundesenter privacy forget`: name and addresses are gone
    from the back-end's order and stored answers, and no SQLite file (nor its -wal) holds the name's bytes."""
    surname = "".join(random.choice("bdfgklmnprstv") + random.choice("aeiou") for _ in range(4)).capitalize()
    name = f"Ylva {surname}"
    person = customer()
    up_to_summary(person, responses, "nb", name)
    assert said(person.says("/affirm")[0], responses["utter_address_change_done"]["nb"])
    receipt = orders_of(backend, name)[0]["receipt_number"]
    databases = [assistant.tracker_db] + [
        Path(make_url(url).database) for url in (assistant.desk_database_url, assistant.backend_database_url)
    ]

    def holding_the_name():
        files = [Path(f"{db}{suffix}") for db in databases for suffix in ("", "-wal", "-journal")]
        return [file.name for file in files if file.exists() and surname.encode() in file.read_bytes()]

    assert holding_the_name()  # the test would prove nothing if the name had never been stored
    env = {
        **os.environ, "TRACKER_DB": str(assistant.tracker_db), "DESK_DATABASE_URL": assistant.desk_database_url,
        "BACKEND_URL": assistant.backend_url, "PYTHONPATH": str(project.ROOT),
    }
    command = [sys.executable, "-m", "bot.cli", "privacy", "forget", person.sender]
    result = subprocess.run(command, cwd=project.ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert "backend_address_changes 1" in result.stderr and "backend_idempotency_records 1" in result.stderr
    kept = backend(f"/v1/address-changes/{receipt}")
    assert kept["erased"] is True and kept["name"] is None and kept["new_address"] is None
    assert orders_of(backend, name) == []
    assert holding_the_name() == []
