"""The customer's side: a conversation id for the page, its history after a reload, and the survey.

Every call but the first carries the conversation's token (bot/channels/session_tokens.py):
a page reads and answers only for its own conversation.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from aiohttp import web

from bot.channels import session_tokens
from bot.desk import transcript
from bot.desk.app import Desk, desk, fail, json_body, json_response
from bot.desk.rasa_client import RasaUnavailable
from bot.desk.surveys import InvalidSurvey
from bot.handoff.records import HandoffError

CUSTOMER_LEFT = "customer left before an agent answered"


async def config(request: web.Request) -> web.Response:
    shared = desk(request)
    return json_response(
        {
            "socket_url": shared.config.socket_url,
            "socket_path": "/socket.io",
            "languages": list(shared.queue.settings.languages),
            "texts": shared.texts["widget"],
        }
    )


async def new_session(request: web.Request) -> web.Response:
    session_id, token = session_tokens.new_session(desk(request).config.webchat_secret)
    return json_response({"session_id": session_id, "token": token}, status=201)


async def history(request: web.Request) -> web.Response:
    shared = desk(request)
    session_id = _owned(shared, request.query.get("session_id"), request.query.get("token"))
    try:
        tracker = await shared.rasa.tracker(session_id)
    except RasaUnavailable:
        raise fail(web.HTTPServiceUnavailable, "the conversation cannot be loaded right now; try again soon") from None
    return json_response(
        {"messages": transcript.messages(tracker.get("events") or []), "handoff": await _handoff(shared, session_id)}
    )


async def survey(request: web.Request) -> web.Response:
    shared = desk(request)
    body = await json_body(request)
    session_id = _owned(shared, body.get("session_id"), body.get("token"))
    try:
        await shared.run(
            shared.surveys.record, session_id, body.get("language"), body.get("satisfaction"), body.get("nps")
        )
    except InvalidSurvey as invalid:
        raise fail(web.HTTPBadRequest, "the survey answer is not valid", fields=invalid.fields) from None
    return json_response({"stored": True}, status=201)


async def end(request: web.Request) -> web.Response:
    """The customer ended the chat: a hand-off still waiting is withdrawn; one an agent holds stays with the agent."""
    shared = desk(request)
    body = await json_body(request)
    session_id = _owned(shared, body.get("session_id"), body.get("token"))
    handoff = await shared.run(shared.queue.open_handoff_for, session_id)
    withdrawn = False
    if handoff is not None and handoff.status == "waiting":
        try:
            await shared.run(shared.queue.close, handoff.id, CUSTOMER_LEFT)
            withdrawn = True
        except HandoffError:  # an agent took it in the meantime: theirs now
            pass
    return json_response({"ended": True, "handoff_withdrawn": withdrawn})


def _owned(shared: Desk, session_id: Any, token: Any) -> str:
    if not session_tokens.is_valid(shared.config.webchat_secret, session_id, token):
        raise fail(web.HTTPForbidden, "this conversation does not belong to this page")
    return session_id


async def _handoff(shared: Desk, session_id: str) -> Optional[Dict[str, Any]]:
    handoff = await shared.run(shared.queue.open_handoff_for, session_id)
    if handoff is None:
        return None
    agent = await shared.run(shared.queue.agent, handoff.agent_id) if handoff.agent_id else None
    return {"status": handoff.status, "agent": agent.first_name if agent else None}


def add_routes(app: web.Application) -> None:
    app.router.add_get("/chat/config", config)
    app.router.add_post("/chat/api/sessions", new_session)
    app.router.add_get("/chat/api/history", history)
    app.router.add_post("/chat/api/survey", survey)
    app.router.add_post("/chat/api/end", end)
