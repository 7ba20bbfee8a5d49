"""The agent's side: the queue, taking a conversation, replying, notes, transfer and handing back to the bot.

Whatever the agent says goes into the conversation through Rasa (bot/desk/rasa_client.py),
so the customer's page shows it at once and the transcript stays in one place.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Dict, Optional

from aiohttp import web

from bot.channels.validation import has_control_characters
from bot.desk import case_card, tracker_events, transcript
from bot.desk.parcel_status import ParcelStatus
from bot.desk.app import Desk, desk, fail, json_body, json_response
from bot.desk.auth_middleware import USER
from bot.desk.rasa_client import RasaUnavailable
from bot.handoff.records import Agent, Callback, Conflict, Handoff, HandoffError, NotFound

MAX_TEXT_CHARACTERS = 4000
NO_HANDOFF = "no such conversation"
NO_CALLBACK = "no such call-back request"
HIDDEN_SLOTS = ("requested_slot", "order_prompt", "delivery_options", "session_started_metadata")
PARCELS = web.AppKey("parcel_status", ParcelStatus)


async def _me(request: web.Request) -> Agent:
    shared = desk(request)
    try:
        return await shared.run(shared.queue.agent_named, request[USER].username)
    except NotFound:
        raise fail(web.HTTPForbidden, "you have no skills on record: ask a supervisor to add them") from None


def _item(
    handoff: Handoff, names: Dict[int, Agent], now: Any, said: Optional[Dict[str, tracker_events.Said]] = None
) -> Dict[str, Any]:
    """A queue row: enough for an agent to choose whom to take (who, about what, what they said last, how long)."""
    customer = (said or {}).get(handoff.sender_id) or tracker_events.Said()
    return {
        "id": handoff.id,
        "sender_id": handoff.sender_id,
        "channel": handoff.channel,
        "language": handoff.language,
        "topic": handoff.topic,
        "reason": handoff.reason,
        "status": handoff.status,
        "queued_at": handoff.queued_at.isoformat(timespec="seconds"),
        "waited_seconds": int(((handoff.assigned_at or now) - handoff.queued_at).total_seconds()),
        "agent": names[handoff.agent_id].first_name if handoff.agent_id in names else None,
        "agent_username": names[handoff.agent_id].username if handoff.agent_id in names else None,
        "customer_name": handoff.summary.get("person_name"),
        "customer_contact": handoff.summary.get("contact"),
        "latest_words": customer.latest_words,
        "customer_messages": customer.messages,
    }


async def _names(shared: Desk) -> Dict[int, Agent]:
    return {agent.id: agent for agent in await shared.run(shared.queue.agents)}


async def queue(request: web.Request) -> web.Response:
    shared, me = desk(request), await _me(request)
    names, now = await _names(shared), shared.queue.clock()
    waiting = await shared.run(shared.queue.waiting, me.id)
    mine = await shared.run(shared.queue.assigned_to, me.id)
    callbacks = await shared.run(shared.queue.callbacks)
    senders = [item.handoff.sender_id for item in waiting] + [handoff.sender_id for handoff in mine]
    said = await shared.run(tracker_events.customers_said, shared.tracker_engine, senders)
    everything = _is_supervisor(request)
    return json_response(
        {
            "waiting": [_item(item.handoff, names, now, said) for item in waiting],
            "mine": [_item(handoff, names, now, said) for handoff in mine],
            "callbacks": [
                _callback(callback)
                for callback in callbacks
                if everything or me.skilled_for(callback.language, callback.topic)
            ],
        }
    )


async def take_next(request: web.Request) -> web.StreamResponse:
    shared, me = desk(request), await _me(request)
    handoff = await shared.run(shared.queue.claim_next, me.id)
    if handoff is None:
        return web.Response(status=204)
    await _agent_joined(shared, handoff, me)
    return json_response(await _conversation(request, handoff))


async def claim(request: web.Request) -> web.Response:
    """Taking one from the list; someone faster gets it first (409), which an agent skilled for it may be told."""
    shared, me = desk(request), await _me(request)
    wanted = await _visible(request, also=lambda handoff: me.skilled_for(handoff.language, handoff.topic))
    handoff = await _store_call(shared, shared.queue.claim, wanted.id, me.id)
    await _agent_joined(shared, handoff, me)
    return json_response(await _conversation(request, handoff))


async def conversation(request: web.Request) -> web.Response:
    return json_response(await _conversation(request, await _visible(request)))


async def reply(request: web.Request) -> web.Response:
    shared, me = desk(request), await _me(request)
    handoff = await _held(request, me)
    text = _text(await json_body(request))
    try:
        await shared.rasa.say(handoff.sender_id, text, {"agent": me.first_name})
    except RasaUnavailable:
        raise fail(
            web.HTTPBadGateway, "the message did not reach the customer: the chat server did not answer"
        ) from None
    sent = {
        "role": transcript.AGENT,
        "text": text,
        "agent": me.first_name,
        "buttons": [],
        "at": shared.queue.clock().isoformat(timespec="seconds"),
    }
    return json_response(sent, status=201)


async def add_note(request: web.Request) -> web.Response:
    shared, me = desk(request), await _me(request)
    handoff = await _held(request, me)
    note = await _store_call(shared, shared.queue.add_note, handoff.id, me.id, _text(await json_body(request)))
    return json_response(
        {"author": me.first_name, "text": note.text, "at": note.created_at.isoformat(timespec="seconds")}, 201
    )


async def agents(request: web.Request) -> web.Response:
    shared = desk(request)
    return json_response(
        [
            {
                "username": a.username,
                "first_name": a.first_name,
                "languages": list(a.languages),
                "topics": list(a.topics),
                "active": a.active,
            }
            for a in await shared.run(shared.queue.agents)
        ]
    )


async def transfer(request: web.Request) -> web.Response:
    shared, me = desk(request), await _me(request)
    handoff = await _held(request, me)
    body = await json_body(request)
    if body.get("agent"):
        colleague = await _store_call(shared, shared.queue.agent_named, str(body["agent"]))
        moved = await _store_call(shared, shared.queue.transfer, handoff.id, to_agent_id=colleague.id)
        await _agent_joined(shared, moved, colleague)
    elif body.get("topic") or body.get("language"):
        moved = await _store_call(
            shared,
            shared.queue.transfer,
            handoff.id,
            to_topic=body.get("topic") or None,
            to_language=body.get("language") or None,
        )
        await _tell_customer(shared, moved, "transferred", {"handoff": "waiting"})
    else:
        raise fail(web.HTTPBadRequest, "say to whom: an agent's username, or a topic and/or language")
    return json_response(_item(moved, await _names(shared), shared.queue.clock()))


async def close(request: web.Request) -> web.Response:
    shared, me = desk(request), await _me(request)
    handoff = await _held(request, me)
    resolution = str((await json_body(request)).get("resolution") or "").strip()[:MAX_TEXT_CHARACTERS] or "closed"
    closed = await _store_call(shared, shared.queue.close, handoff.id, resolution)
    await _tell_customer(shared, closed, "handed_back", {"handoff": "closed", "survey": True}, resume=True)
    return json_response(_item(closed, await _names(shared), shared.queue.clock()))


async def callback_done(request: web.Request) -> web.Response:
    """Only an agent skilled for the request (its language and topic) or a supervisor marks it done; others get 404."""
    shared = desk(request)
    callback_id = _id(request, NO_CALLBACK)
    try:
        callback = await shared.run(shared.queue.callback, callback_id)
    except NotFound:
        raise fail(web.HTTPNotFound, NO_CALLBACK) from None
    if not _is_supervisor(request) and not (await _me(request)).skilled_for(callback.language, callback.topic):
        raise fail(web.HTTPNotFound, NO_CALLBACK)
    return json_response(_callback(await _store_call(shared, shared.queue.finish_callback, callback_id)))


# Helpers


async def _conversation(request: web.Request, handoff: Handoff) -> Dict[str, Any]:
    shared = desk(request)
    names = await _names(shared)
    try:
        tracker = await shared.rasa.tracker(handoff.sender_id)
        unavailable: Optional[str] = None
    except RasaUnavailable:
        tracker, unavailable = {}, "the transcript cannot be loaded right now: the chat server did not answer"
    slots = {
        name: value
        for name, value in (tracker.get("slots") or {}).items()
        if value is not None and name not in HIDDEN_SLOTS
    }
    notes = await shared.run(shared.queue.notes, handoff.id)
    summary = {**handoff.summary, "slots": {**handoff.summary.get("slots", {}), **slots}}
    number = summary["slots"].get("tracking_number") or summary.get("tracking_number")
    parcel = await request.app[PARCELS].of(number)
    return {
        "handoff": _item(handoff, names, shared.queue.clock()),
        "summary": summary,
        "case": case_card.card(handoff, handoff.summary, slots, parcel),
        "transcript": transcript.messages(tracker.get("events") or []),
        "notes": [
            {
                "author": names[note.agent_id].first_name if note.agent_id in names else "?",
                "text": note.text,
                "at": note.created_at.isoformat(timespec="seconds"),
            }
            for note in notes
        ],
        "warning": unavailable,
    }


async def _tell_customer(
    shared: Desk, handoff: Handoff, notice: str, metadata: Dict[str, Any], agent: str = "", resume: bool = False
) -> None:
    """The desk's own line in the conversation; the hand-off is already recorded, so a Rasa outage only costs the line."""
    try:
        await shared.rasa.say(
            handoff.sender_id, shared.notice(notice, handoff.language, agent=agent), metadata, resume=resume
        )
    except RasaUnavailable:
        pass


async def _agent_joined(shared: Desk, handoff: Handoff, agent: Agent) -> None:
    await _tell_customer(
        shared, handoff, "agent_joined", {"agent": agent.first_name, "handoff": "assigned"}, agent.first_name
    )


def _is_supervisor(request: web.Request) -> bool:
    return request[USER].has_role("supervisor")


async def _visible(request: web.Request, also: Callable[[Handoff], bool] = lambda handoff: False) -> Handoff:
    """The hand-off in the URL, if the asker may see it (Agent.may_see, or `also`; supervisors see all).

    One the asker may not see gets the same 404 as an id that does not exist,
    so counting through the sequential ids tells nothing.
    """
    shared = desk(request)
    try:
        handoff = await shared.run(shared.queue.handoff, _id(request))
    except NotFound:
        raise fail(web.HTTPNotFound, NO_HANDOFF) from None
    if _is_supervisor(request) or also(handoff) or (await _me(request)).may_see(handoff):
        return handoff
    raise fail(web.HTTPNotFound, NO_HANDOFF)


async def _held(request: web.Request, me: Agent) -> Handoff:
    """The hand-off in the URL, if this agent holds it; only the holder writes to a conversation."""
    handoff = await _visible(request)
    if handoff.status != "assigned" or handoff.agent_id != me.id:
        raise fail(web.HTTPConflict, "this conversation is not yours: take it from the queue first")
    return handoff


async def _store_call(shared: Desk, function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await shared.run(function, *args, **kwargs)
    except NotFound as missing:
        raise fail(web.HTTPNotFound, str(missing)) from None
    except (Conflict, HandoffError) as conflict:
        raise fail(web.HTTPConflict, str(conflict)) from None
    except ValueError as invalid:
        raise fail(web.HTTPBadRequest, str(invalid)) from None


def _id(request: web.Request, unknown: str = NO_HANDOFF) -> int:
    """The id in the URL; one no database column can hold is as unknown as any other."""
    try:
        number = int(request.match_info["id"])
    except ValueError:
        number = 0
    if not 0 < number < 2**63:
        raise fail(web.HTTPNotFound, unknown)
    return number


def _text(body: Dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise fail(web.HTTPBadRequest, "write some text")
    if len(text) > MAX_TEXT_CHARACTERS:
        too_large = functools.partial(web.HTTPRequestEntityTooLarge, MAX_TEXT_CHARACTERS, len(text))
        raise fail(too_large, f"at most {MAX_TEXT_CHARACTERS} characters")
    if has_control_characters(text):  # PostgreSQL cannot store NUL; the customer's page has no use for the rest
        raise fail(web.HTTPBadRequest, "no control characters other than line breaks")
    return text.strip()


def _callback(callback: Callback) -> Dict[str, Any]:
    return {**dataclasses.asdict(callback), "created_at": callback.created_at.isoformat(timespec="seconds")}


def add_routes(app: web.Application) -> None:
    app[PARCELS] = ParcelStatus()
    app.router.add_get("/api/queue", queue)
    app.router.add_post("/api/handoffs/next", take_next)
    app.router.add_get("/api/handoffs/{id}", conversation)
    app.router.add_post("/api/handoffs/{id}/claim", claim)
    app.router.add_post("/api/handoffs/{id}/messages", reply)
    app.router.add_post("/api/handoffs/{id}/notes", add_note)
    app.router.add_post("/api/handoffs/{id}/transfer", transfer)
    app.router.add_post("/api/handoffs/{id}/close", close)
    app.router.add_get("/api/agents", agents)
    app.router.add_post("/api/callbacks/{id}/done", callback_done)
