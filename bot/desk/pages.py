"""The desk's pages and log-in: static files, plus the only form posts (log in, log out)."""

from __future__ import annotations

from aiohttp import web

from bot.desk import forwarded
from bot.desk.accounts import LoginRefused
from bot.desk.app import STATIC, desk, fail, json_body, json_response
from bot.desk.auth_middleware import (
    LOGIN_PAGE,
    USER,
    clear_session_cookie,
    require_role,
    session_token,
    set_session_cookie,
)

NO_CACHE = {"Cache-Control": "no-cache"}  # pages and the embed script change with each release
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")  # the log-in page's form


def _page(name: str) -> web.FileResponse:
    return web.FileResponse(STATIC / name, headers=NO_CACHE)


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/chat")


async def chat_page(request: web.Request) -> web.StreamResponse:
    return _page("chat.html")


async def widget_script(request: web.Request) -> web.StreamResponse:
    return _page("widget.js")


async def desk_page(request: web.Request) -> web.StreamResponse:
    return _page("desk.html")


@require_role("supervisor")
async def supervisor_page(request: web.Request) -> web.StreamResponse:
    return _page("supervisor.html")


async def login_page(request: web.Request) -> web.StreamResponse:
    return _page("login.html")


async def desk_texts(request: web.Request) -> web.Response:
    return json_response(desk(request).texts["desk"])


async def health(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def login(request: web.Request) -> web.StreamResponse:
    """A form post from the log-in page (redirects) or JSON from an API client (status codes and a token)."""
    shared = desk(request)
    wants_json = request.content_type == "application/json"
    if not wants_json and request.content_type not in FORM_TYPES:
        raise fail(web.HTTPUnsupportedMediaType, "send the log-in as a form or as JSON")
    fields = (await json_body(request)) if wants_json else dict(await request.post())
    if wants_json and not all(isinstance(fields.get(name), str) for name in ("username", "password")):
        raise fail(web.HTTPBadRequest, "send username and password as text")  # not counted as a failed log-in
    username, password = str(fields.get("username") or ""), str(fields.get("password") or "")
    try:
        client = forwarded.client_address(request, shared.settings.trusted_proxies)
        session = await shared.run(shared.accounts.authenticate, username, password, client)
    except LoginRefused as refused:
        if wants_json:
            status = web.HTTPTooManyRequests if refused.code == "locked" else web.HTTPUnauthorized
            raise fail(status, refused.reason, code=refused.code)
        raise web.HTTPSeeOther(f"{LOGIN_PAGE}?error={refused.code}")
    response = (
        json_response({"token": session.token, "username": session.user.username, "role": session.user.role})
        if wants_json
        else web.HTTPSeeOther("/supervisor" if session.user.role == "supervisor" else "/desk")
    )
    set_session_cookie(response, session, shared.accounts)
    if wants_json:
        return response
    raise response


async def logout(request: web.Request) -> web.StreamResponse:
    shared = desk(request)
    token = session_token(request, shared.accounts.settings.cookie_name)
    if token:
        await shared.run(shared.accounts.logout, token)
    response = web.HTTPSeeOther(LOGIN_PAGE)
    clear_session_cookie(response, shared.accounts)
    raise response


async def me(request: web.Request) -> web.Response:
    user = request[USER]
    shared = desk(request)
    try:
        agent = await shared.run(shared.queue.agent_named, user.username)
        skills = {"languages": list(agent.languages), "topics": list(agent.topics)}
    except LookupError:
        skills = {"languages": [], "topics": []}
    return json_response({"username": user.username, "first_name": user.first_name, "role": user.role, **skills})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", home)
    app.router.add_get("/health", health)
    app.router.add_get("/chat", chat_page)
    app.router.add_get("/widget.js", widget_script)
    app.router.add_get(LOGIN_PAGE, login_page)
    app.router.add_post(LOGIN_PAGE, login)
    app.router.add_post("/logout", logout)
    app.router.add_get("/desk", desk_page)
    app.router.add_get("/desk/texts", desk_texts)
    app.router.add_get("/supervisor", supervisor_page)
    app.router.add_get("/api/me", me)
    app.router.add_static("/static/", STATIC, append_version=False)
