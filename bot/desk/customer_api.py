"""The customer's side: a conversation id for the page, its history after a reload, and the survey.

Every call but the first carries the conversation's token (bot/channels/session_tokens.py) in its
JSON body, never in the URL: URLs end up in access logs, proxies' logs and browser history, and a
token there would let whoever reads them take the chat over. A token in a query string is refused.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Optional

from aiohttp import web

from bot.channels import session_tokens
from bot.channels.rate_limit import TokenBuckets
from bot.desk import forwarded, transcript
from bot.desk.app import Desk, desk, fail, json_body, json_response
from bot.desk.rasa_client import RasaUnavailable
from bot.desk.surveys import AlreadyAnswered, InvalidSurvey
from bot.handoff.records import HandoffError

NEW_SESSIONS = web.AppKey("new_chat_sessions", TokenBuckets)  # per client address, in this process's memory
CUSTOMER_LEFT = "customer left before an agent answered"
TOKEN_IN_URL = "the conversation's token goes in the JSON body of a POST, never in the URL"


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
    """A new conversation id and token; 429 with Retry-After when this address started too many (desk.yml)."""
    address = forwarded.client_address(request, desk(request).settings.trusted_proxies)  # behind nginx: the customer
    wait = request.app[NEW_SESSIONS].take(address)
    if wait:
        seconds = str(math.ceil(wait))
        raise fail(web.HTTPTooManyRequests, "too many new conversations from here: try again soon",
                   headers={"Retry-After": seconds}, retry_after_seconds=int(seconds))  # fmt: skip
    session_id, token = session_tokens.new_session(desk(request).config.webchat_secret)
    return json_response({"session_id": session_id, "token": token}, status=201)


async def history(request: web.Request) -> web.Response:
    shared = desk(request)
    session_id = await _owned(request)
    try:
        tracker = await shared.rasa.tracker(session_id)
    except RasaUnavailable:
        raise fail(web.HTTPServiceUnavailable, "the conversation cannot be loaded right now; try again soon") from None
    return json_response(
        {"messages": transcript.messages(tracker.get("events") or []), "handoff": await _handoff(shared, session_id)}
    )


async def survey(request: web.Request) -> web.Response:
    """One answer per closed hand-off (the latest of the conversation); 409 for a second one or when none is closed."""
    shared = desk(request)
    body = await json_body(request)
    session_id = await _owned(request, body)
    answer = (session_id, body.get("language"), body.get("satisfaction"), body.get("nps"))
    try:
        shared.surveys.validate(*answer)
        handoff = await shared.run(shared.queue.last_closed_for, session_id)
        if handoff is None:
            raise fail(web.HTTPConflict, "there is no finished conversation with a person to answer about")
        await shared.run(shared.surveys.record, handoff.id, *answer)
    except InvalidSurvey as invalid:
        raise fail(web.HTTPBadRequest, "the survey answer is not valid", fields=invalid.fields) from None
    except AlreadyAnswered:
        raise fail(web.HTTPConflict, "this conversation's survey has been answered already") from None
    return json_response({"stored": True}, status=201)


async def end(request: web.Request) -> web.Response:
    """The customer ended the chat: a hand-off still waiting is withdrawn; one an agent holds stays with the agent."""
    shared = desk(request)
    session_id = await _owned(request)
    handoff = await shared.run(shared.queue.open_handoff_for, session_id)
    withdrawn = False
    if handoff is not None and handoff.status == "waiting":
        try:
            await shared.run(shared.queue.close, handoff.id, CUSTOMER_LEFT)
            withdrawn = True
        except HandoffError:  # an agent took it in the meantime: theirs now
            pass
    return json_response({"ended": True, "handoff_withdrawn": withdrawn})


async def token_in_url(request: web.Request) -> web.Response:
    """The old `GET /chat/api/history?session_id=..&token=..`: refused, so no page keeps putting tokens in URLs."""
    raise fail(web.HTTPBadRequest, TOKEN_IN_URL)


async def _owned(request: web.Request, body: Optional[Dict[str, Any]] = None) -> str:
    """The conversation named in the body, if the body's token is its token; 403 otherwise."""
    if "token" in request.query:
        raise fail(web.HTTPBadRequest, TOKEN_IN_URL)
    body = body if body is not None else await json_body(request)
    session_id, token = body.get("session_id"), body.get("token")
    if not session_tokens.is_valid(desk(request).config.webchat_secret, session_id, token):
        raise fail(web.HTTPForbidden, "this conversation does not belong to this page")
    return session_id


async def _handoff(shared: Desk, session_id: str) -> Optional[Dict[str, Any]]:
    handoff = await shared.run(shared.queue.open_handoff_for, session_id)
    if handoff is None:
        return None
    agent = await shared.run(shared.queue.agent, handoff.agent_id) if handoff.agent_id else None
    return {"status": handoff.status, "agent": agent.first_name if agent else None}


def add_routes(app: web.Application) -> None:
    limit = app["desk"].settings.new_chat_sessions
    app[NEW_SESSIONS] = TokenBuckets(limit.rate, limit.max_tracked_clients)
    app.router.add_get("/chat/config", config)
    app.router.add_post("/chat/api/sessions", new_session)
    app.router.add_post("/chat/api/history", history)
    app.router.add_get("/chat/api/history", token_in_url)
    app.router.add_post("/chat/api/survey", survey)
    app.router.add_post("/chat/api/end", end)
