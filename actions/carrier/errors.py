"""How a back-end call can fail, in the terms the dialogue needs to answer the customer."""

from typing import Mapping, Optional


class CarrierError(Exception):
    """Base class: the back-end could not give the answer asked for."""


class BackendUnavailable(CarrierError):
    """Down, too slow, answering 5xx, or the circuit breaker is open. Nothing was changed."""


class NotFound(CarrierError):
    """The back-end answered and does not know this shipment (or option, or order)."""


class Unsupported(CarrierError):
    """This carrier system offers no such operation (e.g. Bring's and PostNord's public APIs cancel no orders)."""


class Rejected(CarrierError):
    """The back-end refused the request (validation, not bookable); `code` says why.

    `fields` maps each refused field to its problem when the back-end names them,
    e.g. {"new_address.town": "does not match postcode 0155 (Oslo)"}.
    """

    def __init__(self, code: str, message: str = "", fields: Optional[Mapping[str, str]] = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.fields = dict(fields or {})
