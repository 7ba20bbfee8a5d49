"""Who is asking: the aiohttp middleware that turns a session cookie (or bearer token) into a desk user.

Browsers carry the session in an HttpOnly, SameSite=Strict cookie: page scripts
cannot read it and other sites cannot make the browser send it, which is what
stands between the desk and cross-site request forgery. API clients send the
same token as `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import asyncio
import functools
import json
from typing import Awaitable, Callable, Dict, Optional

from aiohttp import web

from bot.desk.accounts import Accounts, Session, User

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

USER = "desk_user"  # request[USER]: the logged-in User, set by the middleware
LOGIN_PAGE = "/login"


def auth_middleware(
    accounts: Accounts, is_public: Callable[[str], bool] = lambda path: path == LOGIN_PAGE
) -> web.middleware:
    """Lets requests for paths that `is_public` accepts through; every other one needs a live session.

    Without one, `/api/` paths get 401 with a JSON body and pages are redirected to the log-in page.
    """
    cookie_name = accounts.settings.cookie_name

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_public(request.path):
            return await handler(request)
        token = session_token(request, cookie_name)
        # The store is synchronous (it hashes and queries the database): keep it off the event loop.
        user = await asyncio.get_running_loop().run_in_executor(None, accounts.session_user, token) if token else None
        if user is None:
            if _is_api(request):
                raise json_error(web.HTTPUnauthorized, "not logged in", headers={"WWW-Authenticate": "Bearer"})
            raise web.HTTPFound(LOGIN_PAGE)
        request[USER] = user
        return await handler(request)

    return authenticate


def require_role(role: str) -> Callable[[Handler], Handler]:
    """Decorates a handler so that only users with `role` or a higher one reach it; others get 403."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            user: Optional[User] = request.get(USER)
            if user is None or not user.has_role(role):
                message = f"only a {role} may do this"
                raise json_error(web.HTTPForbidden, message) if _is_api(request) else web.HTTPForbidden(text=message)
            return await handler(request)

        return checked

    return decorate


def set_session_cookie(response: web.StreamResponse, session: Session, accounts: Accounts) -> None:
    """What the log-in handler calls after `Accounts.authenticate` succeeded."""
    max_age = int((session.expires_at - accounts.clock()).total_seconds())
    response.set_cookie(
        accounts.settings.cookie_name, session.token, max_age=max(max_age, 0), path="/",
        httponly=True, samesite="Strict", secure=accounts.settings.cookie_secure,
    )  # fmt: skip


def clear_session_cookie(response: web.StreamResponse, accounts: Accounts) -> None:
    """What the log-out handler calls after `Accounts.logout`."""
    response.del_cookie(accounts.settings.cookie_name, path="/")


def session_token(request: web.Request, cookie_name: str) -> Optional[str]:
    """The session the request carries: its bearer token, else its cookie; log-out ends whichever it is."""
    return bearer_token(request) or request.cookies.get(cookie_name)


def bearer_token(request: web.Request) -> Optional[str]:
    """The token of `Authorization: Bearer <token>`: when present, it and not the cookie says who is asking."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def json_error(
    error: type[web.HTTPError], message: str, headers: Optional[Dict[str, str]] = None, **fields: object
) -> web.HTTPError:
    """An HTTP error with the JSON body `{"error": message, **fields}` that the desk's pages show as it is."""
    body = json.dumps({"error": message, **fields}, ensure_ascii=False)
    return error(text=body, content_type="application/json", headers=headers)


def _is_api(request: web.Request) -> bool:
    return request.path.startswith("/api/")
