"""The carrier's service data as API JSON: prices by weight and destination zone, holding times, size limits.

Read once from services.yml. The assistant's knowledge base answers "what does it cost", "how long
is a parcel kept" and "what fits in a parcel locker" with these figures rather than text, so a price
change is made in one place and the bot never quotes an old price.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping

import yaml

from backend.errors import ApiError

SERVICES_FILE = Path(__file__).with_name("services.yml")
KINDS = ("letter", "parcel")
_COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


def _country(country: str) -> str:
    if country not in ("NO", "SE"):
        raise ApiError(400, "invalid_country", "country must be NO or SE.")
    return country


@dataclass(frozen=True)
class Services:
    data: Mapping[str, Any]

    @classmethod
    def load(cls, path: Path = SERVICES_FILE) -> "Services":
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    def zone(self, country: str, destination: str) -> str:
        """domestic, nordic, europe or world, for mail sent from ``country`` to ``destination``."""
        if destination == country or destination in self.data["countries"][country].get("domestic_also", []):
            return "domestic"
        return next((zone for zone, members in self.data["zones"].items() if destination in members), "world")

    def price(self, country: str, kind: str, weight_g: str, destination: str) -> Dict[str, Any]:
        country = _country(country)
        if kind not in KINDS:
            raise ApiError(400, "invalid_kind", f"kind must be one of {', '.join(KINDS)}.")
        if not weight_g.isdigit() or int(weight_g) <= 0:
            raise ApiError(400, "invalid_weight", "weight_g must be a whole number of grams above 0.")
        destination = destination.upper()
        if not _COUNTRY_CODE.match(destination):
            raise ApiError(400, "invalid_destination", "destination must be an ISO 3166-1 alpha-2 country code.")
        grams, zone = int(weight_g), self.zone(country, destination)
        steps = self.data["countries"][country]["prices"][kind]
        step = next((s for s in steps if grams <= s["max_g"]), None)
        if step is None:
            raise ApiError(422, "too_heavy", f"A {kind} from {country} may weigh at most {steps[-1]['max_g']} g.")
        return {
            "country": country,
            "kind": kind,
            "weight_g": grams,
            "destination": destination,
            "zone": zone,
            "up_to_g": step["max_g"],
            "price": {"amount": step[zone], "currency": self.data["countries"][country]["currency"]},
        }

    def holding_times(self, country: str) -> Dict[str, Any]:
        days = self.data["countries"][_country(country)]["holding_days"]
        return {"country": country, "pickup_point_days": days["pickup_point"], "parcel_locker_days": days["parcel_locker"]}

    def size_limits(self, country: str) -> Dict[str, Any]:
        limits = self.data["countries"][_country(country)]["size_limits"]
        return {"country": country, "limits": [{"product": product, **values} for product, values in limits.items()]}
