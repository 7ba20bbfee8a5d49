"""Carrier APIs played on this machine, so the adapters are tested over real HTTP rather than against mocks."""

from __future__ import annotations

import asyncio
import threading
from typing import Awaitable, Callable, Iterator, List, Mapping, Optional

import pytest
from aiohttp import web

from actions import carrier

Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Longer than any timeout the tests give the adapters, short enough to keep the suite fast.
STALL_SECONDS = 1.0


class Seen:
    """One request as it reached the vendor."""

    def __init__(self, request: web.Request) -> None:
        self.path = request.path
        self.query: Mapping[str, str] = dict(request.query)
        self.headers: Mapping[str, str] = request.headers.copy()  # case-insensitive, as HTTP headers are


class FakeVendor:
    """One path served on 127.0.0.1 at a free port, in a thread of its own so a test can call it synchronously."""

    def __init__(self, path: str, answer: Answer) -> None:
        self.path = path
        self.answer = answer
        self.seen: List[Seen] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Optional[web.AppRunner] = None

    def start(self) -> "FakeVendor":
        self._thread.start()
        self.url = asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _serve(self) -> str:
        app = web.Application()
        app.router.add_get(self.path, self._record)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{port}{self.path}"

    async def _close(self) -> None:
        """Also ends handlers still stalling for a client that has given up and left."""
        if self._runner is not None:
            await self._runner.cleanup()
        pending = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _record(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(request))
        return await self.answer(request)


async def _unavailable(request: web.Request) -> web.StreamResponse:
    return web.Response(status=503, text="<html><body>503 Service Unavailable</body></html>", content_type="text/html")


async def _stalled(request: web.Request) -> web.StreamResponse:
    await asyncio.sleep(STALL_SECONDS)
    return web.json_response({})


@pytest.fixture
def vendor() -> Iterator[Callable[[str, Answer], FakeVendor]]:
    """Starts a fake vendor answering `path`; every one started is stopped after the test."""
    started: List[FakeVendor] = []

    def start(path: str, answer: Answer) -> FakeVendor:
        started.append(FakeVendor(path, answer).start())
        return started[-1]

    yield start
    for api in started:
        api.stop()


@pytest.fixture
def vendor_down(vendor) -> Callable[[str], FakeVendor]:
    """A vendor whose gateway answers 503, as during an outage."""
    return lambda path: vendor(path, _unavailable)


@pytest.fixture
def vendor_stalled(vendor) -> Callable[[str], FakeVendor]:
    """A vendor that answers only after STALL_SECONDS."""
    return lambda path: vendor(path, _stalled)


@pytest.fixture
def fresh_tracking() -> Iterator[None]:
    """`carrier.tracking()` is made once per process; a test that changes the settings needs it made again."""
    carrier.tracking.cache_clear()
    yield
    carrier.tracking.cache_clear()
