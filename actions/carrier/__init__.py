"""The carrier's systems as the actions see them: one back-end for orders, one source for tracking.

Which tracking adapter answers is chosen in `carrier.yml`; each adapter module
(`reference`, `bring`, `postnord`) has `from_settings(section, policy)`. The
objects are made once per action-server process so the circuit breaker
remembers failures across conversations.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from actions.carrier import settings as carrier_settings
from actions.carrier.model import Shipment

if TYPE_CHECKING:
    from actions.carrier.reference import ReferenceBackend


class TrackingSource(Protocol):
    async def shipment(self, tracking_number: str) -> Shipment:
        """The shipment, or `NotFound`; `BackendUnavailable` when the system cannot answer."""


@lru_cache(maxsize=None)
def backend() -> "ReferenceBackend":
    from actions.carrier import reference

    settings = carrier_settings.load()
    return reference.from_settings(settings["backend"], carrier_settings.http_policy(settings))


@lru_cache(maxsize=None)
def tracking() -> TrackingSource:
    settings = carrier_settings.load()
    name = settings.get("tracking") or "reference"
    if name == "reference":
        return backend()
    adapter = importlib.import_module(f"actions.carrier.{name}")
    return adapter.from_settings(settings[name], carrier_settings.http_policy(settings))
