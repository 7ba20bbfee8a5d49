"""A TCP proxy between the action server and the back-end that can be made slow.

A real back-end under load answers late rather than not at all; this lets a test
play that without touching the back-end's code.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Optional


class LatencyProxy:
    def __init__(self, listen_port: int, target_port: int, host: str = "127.0.0.1") -> None:
        self.listen_port = listen_port
        self.target_port = target_port
        self.host = host
        self.delay = 0.0  # seconds added before the first byte of every answer
        self._loop = asyncio.new_event_loop()
        self._server: Optional[asyncio.AbstractServer] = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def start(self) -> "LatencyProxy":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._connection, self.host, self.listen_port)

    async def _connection(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:  # back-end stopped: the caller sees the connection closed
            client_writer.close()
            return
        await asyncio.gather(
            self._pipe(client_reader, upstream_writer, delay=False),
            self._pipe(upstream_reader, client_writer, delay=True),
            return_exceptions=True,
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: bool) -> None:
        first = True
        try:
            while data := await reader.read(65536):
                if delay and first and self.delay:
                    await asyncio.sleep(self.delay)
                first = False
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()
