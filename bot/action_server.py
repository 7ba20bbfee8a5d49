"""`python -m bot.action_server`: the Rasa SDK's action server, on loopback and only for Rasa.

The SDK's own command line (`python -m rasa_sdk`) listens on every interface and
runs any action for anyone: one forged `POST /webhook` stored an order with the
slots the caller made up, or queued a hand-off at the desk with the action
server's desk token. This builds the same Sanic app (`rasa_sdk.endpoint.create_app`,
the SDK's plugins) but binds it to `--host` (127.0.0.1 unless a container needs
0.0.0.0) and answers every request except `/health` only with
`Authorization: Bearer <KUNDESENTER_ACTION_SERVER_TOKEN>`, the header Rasa sends
from endpoints.yml. A header, not a query token, so the secret never lands in an
access log.
"""

from __future__ import annotations

import argparse
import hmac
import logging
from typing import List, Optional

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import secrets

logger = logging.getLogger("bot.action_server")  # not "__main__" under `python -m`

OPEN_PATHS = frozenset({"/health"})  # liveness probes carry no secret and learn nothing
REFUSAL = {"error": "unauthorized", "message": "The action server answers only Rasa (Authorization: Bearer <token>)."}


def parser() -> argparse.ArgumentParser:
    """The SDK's arguments (same names, so deploy/ and the logging set-up read alike) plus --host."""
    arguments = create_argument_parser()
    arguments.prog = "python -m bot.action_server"
    arguments.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 only where a container network needs it)"
    )
    return arguments


def authorised(header: Optional[str], token: str) -> bool:
    """`Bearer <token>`, compared in constant time so the answer's timing tells nothing about the token."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def require_token(app: Sanic, token: str) -> None:
    """Refuse, before any action runs, every request but OPEN_PATHS that lacks the token."""

    @app.on_request
    async def check(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or authorised(request.headers.get("authorization"), token):
            return None
        logger.warning("Refused %s %s from %s: no valid action server token", request.method, request.path, request.ip)
        return response.json(REFUSAL, status=401)


def build(actions: str, token: str, cors: Optional[List[str]] = None, auto_reload: bool = False) -> Sanic:
    """The SDK's app with its plugins and the token check."""
    if not token:
        raise ValueError("the action server needs a token: set KUNDESENTER_ACTION_SERVER_TOKEN")
    app = create_app(actions, cors_origins=cors, auto_reload=auto_reload)
    require_token(app, token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def configure_logging(args: argparse.Namespace) -> None:
    """As `python -m rasa_sdk` does: coloured console logs, then --logging-config_file (bot/privacy/logging.yml)."""
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file, args.loglevel, args.logging_config_file
    )
    utils.update_sanic_log_level()


def main(argv: Optional[List[str]] = None) -> None:
    args = parser().parse_args(argv)
    configure_logging(args)
    app = build(args.actions, secrets.secret(secrets.ACTION_SERVER_TOKEN), args.cors, args.auto_reload)
    ssl = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info("Action server on %s://%s:%d (Rasa's calls only)", "https" if ssl else "http", args.host, args.port)
    app.run(args.host, args.port, ssl=ssl, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
