"""What every POST that creates something shares: a JSON object body, an Idempotency-Key, exactly-once storage."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Callable, Dict

from aiohttp import web
from sqlalchemy.engine import Connection

from backend.components import BACKEND
from backend.errors import ApiError
from backend.idempotency import fingerprint

MAX_KEY_LENGTH = 200  # the key column's size
CONVERSATION_HEADER = "X-Conversation-Id"  # the bot's sender id: erasure finds a customer's orders by it
MAX_NESTING = 8  # an order is at most three levels deep (order > address > street); more is an attack or a bug

Create = Callable[[Connection, Dict[str, Any]], Dict[str, Any]]


async def json_object(request: web.Request) -> Dict[str, Any]:
    """The body as a JSON object; aiohttp itself answers 413 when it exceeds the app's size limit."""
    raw = await request.read()
    try:
        body = json.loads(raw)
    except RecursionError:  # some thousands of nested brackets exhaust the parser's stack
        raise _too_deep() from None
    except ValueError:
        raise ApiError(400, "bad_request", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object.")
    if _depth(body) > MAX_NESTING:  # still deep enough to break json.dumps or the database's JSON column
        raise _too_deep()
    return body


def _too_deep() -> ApiError:
    return ApiError(400, "bad_request", f"The body is nested more than {MAX_NESTING} levels deep.")


def _depth(value: Any) -> int:
    """How deeply arrays and objects nest, counted without recursion (the body may be thousands deep)."""
    deepest, level = 0, [(value, 1)]
    while level:
        node, depth = level.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return deepest
        level.extend((child, depth + 1) for child in children)
    return deepest


async def create_once(request: web.Request, create: Create) -> web.Response:
    """Store the order made by `create(connection, body)` once per Idempotency-Key; committed before answering."""
    body = await json_object(request)
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(400, "idempotency_key_required", "Send an Idempotency-Key header with every order.")
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(400, "bad_request", f"The Idempotency-Key must be at most {MAX_KEY_LENGTH} characters.")
    conversation = request.headers.get(CONVERSATION_HEADER, "").strip()[:MAX_KEY_LENGTH]
    backend = request.app[BACKEND]
    request_fingerprint = fingerprint(request.method, request.path, body)
    status, response = await asyncio.to_thread(
        backend.idempotency.run, key, request_fingerprint, lambda connection: create(connection, body), conversation
    )
    return web.json_response(response, status=status)
