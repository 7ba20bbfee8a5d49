"""What the actions know about a shipment and an order, whichever carrier system answered.

Every adapter (the reference back-end, Bring, PostNord) translates its own JSON
into these types, so the dialogue code never sees a vendor format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Dict, List, Mapping, Optional, Tuple

TimeRange = Tuple[dt.time, dt.time]
END_OF_DAY = dt.time.max  # a range closing at "24:00": open around the clock has no closed minute at midnight
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Status(str, Enum):
    """The stages a customer cares about; vendor event codes map onto these."""

    REGISTERED = "registered"
    IN_TRANSIT = "in_transit"
    AT_TERMINAL = "at_terminal"
    OUT_FOR_DELIVERY = "out_for_delivery"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    RETURNED_TO_SENDER = "returned_to_sender"
    HELD_IN_CUSTOMS = "held_in_customs"


@dataclass(frozen=True)
class SpecialDay:
    """A holiday or other day with its own hours; `hours` empty means closed."""

    name: Mapping[str, str]  # language -> name, e.g. {"nb": "Julaften", "sv": "Julafton"}
    hours: Tuple[TimeRange, ...] = ()


@dataclass(frozen=True)
class OpeningHours:
    weekly: Mapping[str, Tuple[TimeRange, ...]]  # "mon".."sun" -> ranges; missing or empty = closed
    special_days: Mapping[dt.date, SpecialDay] = field(default_factory=dict)

    def on(self, day: dt.date) -> Tuple[TimeRange, ...]:
        special = self.special_days.get(day)
        if special is not None:
            return special.hours
        return tuple(self.weekly.get(WEEKDAYS[day.weekday()], ()))

    def open_at(self, moment: dt.datetime) -> bool:
        return any(start <= moment.time() < end for start, end in self.on(moment.date()))


@dataclass(frozen=True)
class CustomerService:
    phone: str
    opening_hours: OpeningHours


@dataclass(frozen=True)
class PickupPoint:
    id: str
    name: str
    address: str
    postcode: str
    town: str
    country: str
    opening_hours: Optional[OpeningHours] = None


@dataclass(frozen=True)
class Event:
    time: dt.datetime
    status: Status
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Price:
    """What sending ``kind`` of up to ``up_to_g`` grams to ``destination`` costs."""

    kind: str
    destination: str
    zone: str
    up_to_g: int
    price: Money


@dataclass(frozen=True)
class HoldingTimes:
    pickup_point_days: int
    parcel_locker_days: int


@dataclass(frozen=True)
class SizeLimit:
    product: str  # letter, mailbox_parcel, parcel_locker, parcel
    max_length_cm: float
    max_width_cm: float
    max_height_cm: float
    max_weight_kg: float


@dataclass(frozen=True)
class Shipment:
    tracking_number: str
    status: Status
    events: List[Event]  # oldest first
    carrier: str = "reference"
    service: Optional[str] = None
    expected_delivery: Optional[dt.date] = None
    pickup_point: Optional[PickupPoint] = None
    pickup_deadline: Optional[dt.date] = None
    customs_amount: Optional[Money] = None

    @property
    def latest_event(self) -> Optional[Event]:
        return self.events[-1] if self.events else None


@dataclass(frozen=True)
class DeliveryOption:
    id: str
    kind: str  # home_daytime | home_evening | pickup_point | parcel_locker | mailbox
    date: dt.date
    window: Optional[TimeRange] = None
    pickup_point_name: Optional[str] = None


@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    town: str
    country: str  # "NO" | "SE"


@dataclass(frozen=True)
class AddressChangeOrder:
    name: str
    old_address: Address
    new_address: Address
    start_date: dt.date
    kind: str  # permanent | temporary
    mail_forwarding: bool
    end_date: Optional[dt.date] = None
    language: str = "nb"


@dataclass(frozen=True)
class ComplaintOrder:
    tracking_number: str
    type: str  # damaged | lost | missing_contents | delayed
    description: str
    contact: str  # e-mail address or E.164 phone number
    language: str = "nb"


@dataclass(frozen=True)
class OrderState:
    """What the back-end has under an order's idempotency key, asked for when the answer to the order was lost.

    `state` is "registered" (with the `receipt`), "cancelled" (with the cancelled order's `number`)
    or "not_registered" (nothing stored, and nothing will be under this key).
    """

    state: str
    receipt: Optional["Receipt"] = None
    number: Optional[str] = None


@dataclass(frozen=True)
class Receipt:
    """What the back-end returns once it has stored an order."""

    number: str
    handling_days: Optional[int] = None
    details: Dict[str, object] = field(default_factory=dict)
