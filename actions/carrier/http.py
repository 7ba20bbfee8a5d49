"""HTTP to a carrier system with a timeout, bounded retries, idempotency keys and a circuit breaker.

The customer is waiting in a chat or on the phone, so a slow back-end must turn
into a clear answer within seconds, and a back-end that is down must not be
hammered by every conversation at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional

import aiohttp

from actions.carrier.errors import BackendUnavailable, CarrierError, NotFound, Rejected

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpPolicy:
    timeout_seconds: float = 2.0
    retries: int = 1  # extra attempts for calls that are safe to repeat
    backoff_seconds: float = 0.2  # doubled after every failed attempt
    breaker_failures: int = 5  # consecutive failures that open the circuit
    breaker_open_seconds: float = 30.0  # how long calls fail fast before one trial call


class CircuitBreaker:
    """Closed → open after N failures in a row → one trial call after the pause → closed again on success."""

    def __init__(self, failures: int, open_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures_to_open = failures
        self.open_seconds = open_seconds
        self.clock = clock
        self.failures = 0
        self.opened_at: Optional[float] = None

    def allow(self) -> bool:
        if self.opened_at is None:
            return True
        if self.clock() - self.opened_at >= self.open_seconds:
            self.opened_at = self.clock()  # half-open: this caller is the trial, others keep failing fast
            return True
        return False

    def record_success(self) -> None:
        self.failures = 0
        self.opened_at = None

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.failures_to_open:
            self.opened_at = self.clock()


class _Retryable(Exception):
    pass


class ResilientClient:
    """JSON over HTTP to one base URL. Raises only `CarrierError` subclasses."""

    def __init__(
        self, base_url: str, policy: HttpPolicy = HttpPolicy(), headers: Optional[Mapping[str, str]] = None, name: str = ""
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self.headers = dict(headers or {})
        self.name = name or base_url
        self.breaker = CircuitBreaker(policy.breaker_failures, policy.breaker_open_seconds)

    async def get(self, path: str, params: Optional[Mapping[str, str]] = None) -> Any:
        return await self._call("GET", path, params=params, retries=self.policy.retries)

    async def post(
        self,
        path: str,
        body: Mapping[str, Any],
        idempotency_key: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Any:
        """A POST is repeated after a failure only with an idempotency key, which makes the repeat harmless."""
        sent = {**(headers or {}), **({"Idempotency-Key": idempotency_key} if idempotency_key else {})}
        retries = self.policy.retries if idempotency_key else 0
        return await self._call("POST", path, json=body, headers=sent, retries=retries)

    async def delete(self, path: str) -> Any:
        """A DELETE is idempotent, so it is retried like a GET."""
        return await self._call("DELETE", path, retries=self.policy.retries)

    async def _call(self, method: str, path: str, retries: int, **request: Any) -> Any:
        if not self.breaker.allow():
            raise BackendUnavailable(f"{self.name}: circuit open after repeated failures")
        delay = self.policy.backoff_seconds
        for attempt in range(retries + 1):
            try:
                result = await self._once(method, path, **request)
            except _Retryable as problem:
                logger.warning("%s %s%s failed (attempt %d): %s", method, self.name, path, attempt + 1, problem)
                if attempt < retries:
                    await asyncio.sleep(delay)
                    delay *= 2
                    continue
                self.breaker.record_failure()
                raise BackendUnavailable(f"{self.name}: {problem}") from None
            except CarrierError:
                self.breaker.record_success()  # a clear refusal is a healthy back-end
                raise
            self.breaker.record_success()
            return result
        raise AssertionError("unreachable")

    async def _once(self, method: str, path: str, headers: Optional[Dict[str, str]] = None, **request: Any) -> Any:
        timeout = aiohttp.ClientTimeout(total=self.policy.timeout_seconds)
        try:
            async with aiohttp.ClientSession(timeout=timeout, headers=self.headers) as session:
                async with session.request(method, self.base_url + path, headers=headers, **request) as response:
                    body = await response.json(content_type=None) if response.content_length != 0 else None
                    status = response.status
        except asyncio.TimeoutError:
            raise _Retryable(f"no answer within {self.policy.timeout_seconds} s") from None
        except (aiohttp.ClientError, ValueError) as problem:
            raise _Retryable(f"{type(problem).__name__}: {problem}") from None
        if status >= 500 or status == 429:
            raise _Retryable(f"HTTP {status}")
        if status == 404:
            raise NotFound(_message(body) or path)
        if status >= 400:
            fields = body.get("fields") if isinstance(body, dict) and isinstance(body.get("fields"), dict) else None
            raise Rejected(_code(body) or f"http_{status}", _message(body), fields)
        return body


def _code(body: Any) -> str:
    return str(body.get("error", "")) if isinstance(body, dict) else ""


def _message(body: Any) -> str:
    return str(body.get("message", "")) if isinstance(body, dict) else ""
