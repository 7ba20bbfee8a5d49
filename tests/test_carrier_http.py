"""The resilient HTTP client against a real local HTTP server that misbehaves on request."""

import asyncio
import socket
from typing import List

import pytest
from aiohttp import web

from actions.carrier.errors import BackendUnavailable, NotFound, Rejected
from actions.carrier.http import CircuitBreaker, HttpPolicy, ResilientClient


class Server:
    """Answers every request with the next planned behaviour and records what it received."""

    def __init__(self) -> None:
        self.plan: List[str] = []
        self.requests: List[web.Request] = []
        self.keys: List[str] = []

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(request)
        self.keys.append(request.headers.get("Idempotency-Key", ""))
        behaviour = self.plan.pop(0) if self.plan else "ok"
        if behaviour == "slow":
            await asyncio.sleep(1.0)
        if behaviour == "500":
            return web.json_response({"error": "internal"}, status=500)
        if behaviour == "404":
            return web.json_response({"error": "not_found", "message": "no such parcel"}, status=404)
        if behaviour == "422":
            return web.json_response({"error": "invalid_order", "message": "postcode"}, status=422)
        return web.json_response({"ok": True})


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_with_server(scenario):
    """Run ``scenario(client, server)`` with a real server on a free port."""

    async def main():
        server = Server()
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", server.handle)
        runner = web.AppRunner(app)
        await runner.setup()
        port = _port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        policy = HttpPolicy(timeout_seconds=0.3, retries=1, backoff_seconds=0.01, breaker_failures=3,
                            breaker_open_seconds=0.5)
        try:
            return await scenario(ResilientClient(f"http://127.0.0.1:{port}", policy), server)
        finally:
            await runner.cleanup()

    return asyncio.run(main())


def test_a_failed_read_is_retried_once_then_succeeds():
    async def scenario(client, server):
        server.plan = ["500"]
        assert await client.get("/x") == {"ok": True}
        assert len(server.requests) == 2

    run_with_server(scenario)


def test_a_slow_back_end_becomes_unavailable_after_bounded_retries():
    async def scenario(client, server):
        server.plan = ["slow", "slow"]
        with pytest.raises(BackendUnavailable):
            await client.get("/x")
        assert len(server.requests) == 2

    run_with_server(scenario)


def test_a_create_without_idempotency_key_is_never_repeated():
    async def scenario(client, server):
        server.plan = ["500"]
        with pytest.raises(BackendUnavailable):
            await client.post("/orders", {"a": 1})
        assert len(server.requests) == 1

    run_with_server(scenario)


def test_a_create_with_idempotency_key_is_repeated_with_the_same_key():
    async def scenario(client, server):
        server.plan = ["500"]
        assert await client.post("/orders", {"a": 1}, idempotency_key="k-1") == {"ok": True}
        assert server.keys == ["k-1", "k-1"]

    run_with_server(scenario)


def test_clear_refusals_are_not_outages():
    async def scenario(client, server):
        server.plan = ["404", "422"]
        with pytest.raises(NotFound):
            await client.get("/x")
        with pytest.raises(Rejected) as refused:
            await client.post("/orders", {}, idempotency_key="k")
        assert refused.value.code == "invalid_order"
        assert len(server.requests) == 2  # neither was retried
        assert client.breaker.failures == 0

    run_with_server(scenario)


def test_circuit_opens_after_repeated_failures_and_recovers_after_the_pause():
    async def scenario(client, server):
        server.plan = ["500"] * 6
        for _ in range(3):
            with pytest.raises(BackendUnavailable):
                await client.get("/x")
        asked = len(server.requests)
        with pytest.raises(BackendUnavailable, match="circuit open"):
            await client.get("/x")
        assert len(server.requests) == asked  # failed fast, the back-end was spared
        server.plan = []
        await asyncio.sleep(0.6)
        assert await client.get("/x") == {"ok": True}  # the trial call closes the circuit
        assert client.breaker.opened_at is None

    run_with_server(scenario)


def test_connection_refused_is_unavailable():
    async def main():
        client = ResilientClient(f"http://127.0.0.1:{_port()}", HttpPolicy(timeout_seconds=0.3, backoff_seconds=0.01))
        with pytest.raises(BackendUnavailable):
            await client.get("/x")

    asyncio.run(main())


def test_half_open_breaker_lets_one_trial_through():
    now = [0.0]
    breaker = CircuitBreaker(failures=2, open_seconds=10, clock=lambda: now[0])
    breaker.record_failure()
    breaker.record_failure()
    assert not breaker.allow()
    now[0] = 11
    assert breaker.allow() and not breaker.allow()
    breaker.record_success()
    assert breaker.allow()
