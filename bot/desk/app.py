"""The desk service: the customer's web chat page, the agent desk, the supervisor view and the bot's hand-off API.

One aiohttp application; each group of routes is its own module (customer_api,
internal_api, agent_api, supervisor_api, pages). The contract is
docs/design/desk-api.md. The stores are synchronous SQLAlchemy code, so every
handler reaches them through `Desk.run`, never on the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Optional, TypeVar

import aiohttp
import yaml
from aiohttp import web
from sqlalchemy.engine import Engine

from bot import project, secrets
from bot.desk import settings as desk_settings
from bot.desk.accounts import Accounts, Clock, utc_now
from bot.desk.auth_middleware import auth_middleware
from bot.desk.auth_middleware import json_error as fail
from bot.desk.browser_policy import same_origin_middleware, security_headers
from bot.desk.rasa_client import RasaClient
from bot.desk.surveys import SurveyStore
from bot.handoff.store import HandoffStore
from bot.sql import connect

logger = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
TEXTS = Path(__file__).with_name("texts.yml")
NOTICES = Path(__file__).with_name("notices.yml")
MAX_REQUEST_BYTES = 64 * 1024  # a long message fits; nothing bigger reaches a handler

T = TypeVar("T")


@dataclass(frozen=True)
class DeskConfig:
    """Where the desk finds Rasa and its databases, and its secrets (bot/secrets.py)."""

    rasa_url: str
    socket_url: str  # Rasa's socket.io as browsers reach it; differs from rasa_url behind a proxy
    database_url: str
    tracker_database_url: str
    rasa_token: str
    webchat_secret: str
    service_token: str

    @classmethod
    def from_environment(cls) -> "DeskConfig":
        rasa_url = os.environ.get("RASA_URL", "http://localhost:5005")
        tracker_db = os.environ.get("TRACKER_DB", str(project.VAR / "tracker.db"))
        return cls(
            rasa_url=rasa_url,
            socket_url=os.environ.get("WEBCHAT_SOCKET_URL", rasa_url),
            database_url=project.desk_database_url(),
            tracker_database_url=os.environ.get("TRACKER_DATABASE_URL") or f"sqlite:///{tracker_db}",
            rasa_token=secrets.secret(secrets.RASA_TOKEN),
            webchat_secret=secrets.secret(secrets.WEBCHAT_SECRET),
            service_token=secrets.secret(secrets.DESK_SERVICE_TOKEN),
        )


@dataclass
class Desk:
    """What every handler shares: configuration, stores and the Rasa client (set when the app starts)."""

    config: DeskConfig
    settings: desk_settings.Settings
    accounts: Accounts
    queue: HandoffStore
    surveys: SurveyStore
    tracker_engine: Engine
    texts: Dict[str, Any]
    notices: Dict[str, Dict[str, str]]
    rasa: Optional[RasaClient] = field(default=None)

    async def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A store call in a worker thread, so a slow database or scrypt never stalls other requests."""
        return await asyncio.get_running_loop().run_in_executor(None, functools.partial(function, *args, **kwargs))

    def notice(self, name: str, language: str, **values: str) -> str:
        return self.notices[name][language].format(**values)


def desk(request: web.Request) -> Desk:
    return request.app["desk"]


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=functools.partial(json.dumps, ensure_ascii=False))


async def json_body(request: web.Request) -> Dict[str, Any]:
    """The request's JSON object, or 400 saying what is wrong with it.

    Only `application/json` is read (else 415): a page on another site can post text/plain
    without asking the desk first (no CORS preflight), but not application/json.
    """
    if request.content_type != "application/json":
        raise fail(web.HTTPUnsupportedMediaType, "send the body as JSON with Content-Type: application/json")
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise fail(web.HTTPBadRequest, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise fail(web.HTTPBadRequest, "the body must be a JSON object")
    try:  # "\ud800" is valid JSON but no text: the databases cannot store it
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise fail(web.HTTPBadRequest, "the body holds an unpaired UTF-16 surrogate: send real text") from None
    return body


def _is_public(path: str) -> bool:
    """Customer-facing paths and the bot's API (which checks its own token) need no agent log-in."""
    return path in ("/", "/chat", "/widget.js", "/login", "/desk/texts", "/health") or path.startswith(
        ("/chat/", "/static/", "/internal/")
    )


@web.middleware
async def _errors(request: web.Request, handler: Callable) -> web.StreamResponse:
    """No stack trace ever reaches a client: unexpected errors are logged and answered with a plain 500."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("%s %s failed", request.method, request.path)
        raise fail(web.HTTPInternalServerError, "something went wrong on our side; it has been logged") from None


@web.middleware
async def _customer_cors(request: web.Request, handler: Callable) -> web.StreamResponse:
    """The chat runs on other sites too (one script tag), so its API answers any origin; it uses no cookies."""
    if not request.path.startswith("/chat/"):
        return await handler(request)
    headers = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
        "Access-Control-Max-Age": "600",
    }
    if request.method == "OPTIONS":
        return web.Response(status=204, headers=headers)
    try:
        response = await handler(request)
    except web.HTTPException as problem:
        problem.headers.update(headers)
        raise
    response.headers.update(headers)
    return response


def create_app(
    config: Optional[DeskConfig] = None, settings: Optional[desk_settings.Settings] = None, clock: Clock = utc_now
) -> web.Application:
    """The desk; `settings` (desk.yml by default) and the log-in's `clock` are replaceable for tests."""
    from bot.desk import agent_api, canned_api, customer_api, internal_api, pages, privacy_api, supervisor_api

    config = config or DeskConfig.from_environment()
    settings = settings or desk_settings.load()
    accounts = Accounts(config.database_url, settings, clock)
    texts = yaml.safe_load(TEXTS.read_text(encoding="utf-8"))
    shared = Desk(
        config=config,
        settings=settings,
        accounts=accounts,
        queue=HandoffStore(config.database_url),
        surveys=SurveyStore(config.database_url),
        tracker_engine=connect(config.tracker_database_url),
        texts=texts,
        notices=yaml.safe_load(NOTICES.read_text(encoding="utf-8")),
    )
    app = web.Application(
        middlewares=[_errors, _customer_cors, same_origin_middleware(settings), auth_middleware(accounts, _is_public)],
        client_max_size=MAX_REQUEST_BYTES,
    )
    app.on_response_prepare.append(security_headers(config.socket_url))
    app["desk"] = shared
    for routes in (pages, customer_api, internal_api, agent_api, canned_api, supervisor_api, privacy_api):
        routes.add_routes(app)

    async def open_rasa(app: web.Application) -> None:
        timeout = aiohttp.ClientTimeout(total=settings.rasa_timeout.total_seconds())
        app["http"] = aiohttp.ClientSession(timeout=timeout)
        shared.rasa = RasaClient(config.rasa_url, config.rasa_token, app["http"])

    async def close_rasa(app: web.Application) -> None:
        await app["http"].close()

    app.on_startup.append(open_rasa)
    app.on_cleanup.append(close_rasa)
    return app
