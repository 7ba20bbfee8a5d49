"""What a carrier system must offer for orders whose answer was lost: look one up, cancel one, by its key.

The reference back-end does both (`/v1/orders/{key}`). Bring's and PostNord's
public APIs are tracking APIs: they place no orders for us and cancel none, so
their adapters say so with `Unsupported` instead of pretending, and the bot then
tells the customer it could not confirm either way.
"""

from __future__ import annotations

from typing import Protocol

from actions.carrier.errors import Unsupported
from actions.carrier.model import OrderState


class OrderSystem(Protocol):
    async def order_state(self, idempotency_key: str) -> OrderState:
        """What is stored under the key; `BackendUnavailable` when the system cannot answer."""

    async def cancel_order(self, idempotency_key: str) -> OrderState:
        """Cancel the order stored under the key, or make sure none will be; "cancelled" or "not_registered"."""


class TrackingOnly:
    """For adapters of public tracking APIs: orders are not theirs to look up or cancel."""

    carrier_name = "this carrier"

    async def order_state(self, idempotency_key: str) -> OrderState:
        raise Unsupported(f"{self.carrier_name}'s public API cannot look up orders")

    async def cancel_order(self, idempotency_key: str) -> OrderState:
        raise Unsupported(f"{self.carrier_name}'s public API cannot cancel orders")
