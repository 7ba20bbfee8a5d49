"""The desk's pages and API let in only logged-in users, and supervisor pages only supervisors (real HTTP server)."""

from __future__ import annotations

import asyncio
from http.cookies import SimpleCookie

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.desk import Accounts, LoginRefused
from bot.desk.auth_middleware import USER, auth_middleware, require_role, set_session_cookie
from tests.desk.conftest import PASSWORD


def desk_app(accounts: Accounts) -> web.Application:
    """The smallest desk: a log-in, a page, and an API route for anyone and one for supervisors."""

    async def login(request: web.Request) -> web.Response:
        form = await request.post()
        try:
            session = await asyncio.get_running_loop().run_in_executor(
                None, accounts.authenticate, form["username"], form["password"], request.remote
            )
        except LoginRefused as refused:
            return web.json_response({"error": refused.reason}, status=401)
        response = web.json_response({"username": session.user.username})
        set_session_cookie(response, session, accounts)
        return response

    async def me(request: web.Request) -> web.Response:
        return web.json_response({"first_name": request[USER].first_name})

    @require_role("supervisor")
    async def agents(request: web.Request) -> web.Response:
        return web.json_response([user.username for user in accounts.list_users()])

    async def queue(request: web.Request) -> web.Response:
        return web.Response(text=f"Hei {request[USER].first_name}")

    app = web.Application(middlewares=[auth_middleware(accounts)])
    app.router.add_post("/login", login)
    app.router.add_get("/api/me", me)
    app.router.add_get("/api/agents", agents)
    app.router.add_get("/queue", queue)
    return app


@pytest.fixture
def desk(tmp_path, settings):
    """`desk(scenario)` runs `await scenario(client)` against the desk served on 127.0.0.1."""
    accounts = Accounts(f"sqlite:///{tmp_path / 'desk.db'}", settings=settings)
    accounts.create_user("kari", "Kari", "supervisor", PASSWORD)
    accounts.create_user("ola", "Ola", "agent", PASSWORD)

    def run(scenario):
        async def serve():
            async with TestClient(TestServer(desk_app(accounts), host="127.0.0.1")) as client:
                return await scenario(client)

        return asyncio.run(serve())

    yield run
    accounts.engine.dispose()


async def log_in(client: TestClient, username: str) -> str:
    response = await client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status == 200
    return response.cookies["desk_session"].value


def test_without_a_session_the_api_says_401_and_pages_send_to_the_log_in(desk):
    async def scenario(client):
        api = await client.get("/api/me")
        page = await client.get("/queue", allow_redirects=False)
        forged = await client.get("/api/me", headers={"Cookie": "desk_session=made-up"})
        return api.status, await api.json(), page.status, page.headers["Location"], forged.status

    assert desk(scenario) == (401, {"error": "not logged in"}, 302, "/login", 401)


def test_after_logging_in_the_cookie_or_a_bearer_token_opens_the_desk(desk):
    async def scenario(client):
        token = await log_in(client, "ola")
        client.session.cookie_jar.clear()  # by hand: a browser would not send a Secure cookie over plain http
        by_cookie = await client.get("/api/me", headers={"Cookie": f"desk_session={token}"})
        by_bearer = await client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        page = await client.get("/queue", headers={"Cookie": f"desk_session={token}"})
        return by_cookie.status, await by_cookie.json(), by_bearer.status, await page.text()

    assert desk(scenario) == (200, {"first_name": "Ola"}, 200, "Hei Ola")


def test_the_session_cookie_is_hidden_from_scripts_and_other_sites(desk):
    async def scenario(client):
        response = await client.post("/login", data={"username": "kari", "password": PASSWORD})
        return response.headers.getall("Set-Cookie")

    [header] = desk(scenario)
    cookie = SimpleCookie(header)["desk_session"]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Strict"
    assert cookie["path"] == "/" and int(cookie["max-age"]) > 0


def test_an_agent_gets_403_on_a_supervisor_route_and_the_supervisor_gets_in(desk):
    async def scenario(client):
        agent = await client.get("/api/agents", headers={"Authorization": f"Bearer {await log_in(client, 'ola')}"})
        supervisor = await client.get(
            "/api/agents", headers={"Authorization": f"Bearer {await log_in(client, 'kari')}"}
        )
        return agent.status, await agent.json(), supervisor.status, await supervisor.json()

    assert desk(scenario) == (403, {"error": "only a supervisor may do this"}, 200, ["kari", "ola"])
