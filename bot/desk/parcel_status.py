"""The parcel's live status for the agent's case card.

Asked of the same tracking source the bot uses (actions/carrier, chosen in carrier.yml), so the
agent sees what the customer would be told now, not what the bot saw at the hand-over. An open
conversation is polled every few seconds, so answers are kept for a short while per tracking
number; a carrier that cannot answer costs the card its status line, never the conversation.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Optional, Tuple

from actions import carrier
from actions.carrier.errors import CarrierError, NotFound
from actions.carrier.model import Shipment

KEEP_SECONDS = 60.0
MAX_KEPT = 1000


class ParcelStatus:
    """The card's parcel facts: {"parcel_status", "parcel_location", "expected_delivery", "pickup_point"}."""

    def __init__(self, source: Callable[[], carrier.TrackingSource] = carrier.tracking) -> None:
        self.source = source
        self.kept: Dict[str, Tuple[float, Dict[str, Any]]] = {}

    async def of(self, tracking_number: Optional[str]) -> Dict[str, Any]:
        if not tracking_number:
            return {}
        now = time.monotonic()
        kept = self.kept.get(tracking_number)
        if kept and kept[0] > now:
            return kept[1]
        facts = await self._ask(tracking_number)
        if len(self.kept) >= MAX_KEPT:
            self.kept = {number: entry for number, entry in self.kept.items() if entry[0] > now}
        self.kept[tracking_number] = (now + KEEP_SECONDS, facts)
        return facts

    async def _ask(self, tracking_number: str) -> Dict[str, Any]:
        try:
            shipment = await self.source().shipment(tracking_number)
        except NotFound:
            return {"parcel_status": "not_found"}
        except CarrierError:
            return {"parcel_status": "unavailable"}
        return _facts(shipment)


def _facts(shipment: Shipment) -> Dict[str, Any]:
    latest = shipment.latest_event
    return {
        "parcel_status": shipment.status.value,
        "parcel_location": latest.location if latest else None,
        "expected_delivery": shipment.expected_delivery.isoformat() if shipment.expected_delivery else None,
        "pickup_point": shipment.pickup_point.name if shipment.pickup_point else None,
    }
