"""Checks of the orders customers send, field by field, so the bot can re-ask just what was wrong.

Each check collects every problem before refusing, and returns the order
normalised (postcodes without spaces, towns as the register spells them, contacts in one form),
which is what gets stored and echoed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Mapping, Optional, Sequence

from dateutil.relativedelta import relativedelta

from backend.errors import ApiError
from bot.identifiers.contact import normalise_contact, normalise_postcode
from bot.identifiers.postcodes import same_town, town_of
from bot.identifiers.tracking import parse_tracking_number

LANGUAGES = ("nb", "sv")
COUNTRIES = ("NO", "SE")  # the countries with a postcode register
Problems = Dict[str, str]


def address_change(body: Mapping[str, Any], today: dt.date, months_ahead: int) -> Dict[str, Any]:
    problems: Problems = {}
    order = {
        "name": _text(body, "name", problems, limit=200),
        "old_address": _address(body, "old_address", problems),
        "new_address": _address(body, "new_address", problems),
        "start_date": _date(body, "start_date", problems),
        "end_date": _date(body, "end_date", problems, required=False),
        "kind": _choice(body, "kind", ("permanent", "temporary"), problems),
        "mail_forwarding": _flag(body, "mail_forwarding", problems),
        "language": _choice(body, "language", LANGUAGES, problems),
    }
    start, end = order["start_date"], order["end_date"]
    if start is not None and start < today:
        problems["start_date"] = "must not be in the past"
    elif start is not None and start > today + relativedelta(months=months_ahead):
        problems["start_date"] = f"must be at most {months_ahead} months ahead"
    if order["kind"] == "temporary" and end is None and "end_date" not in problems:
        problems["end_date"] = "is required for a temporary change"
    elif order["kind"] == "temporary" and start is not None and end is not None and end <= start:
        problems["end_date"] = "must be after start_date"
    elif order["kind"] == "permanent" and end is not None:
        problems["end_date"] = "must be empty for a permanent change"
    _refuse_if(problems)
    return {**order, "start_date": start.isoformat(), "end_date": end.isoformat() if end else None}


def complaint(body: Mapping[str, Any], complaint_types: Sequence[str]) -> Dict[str, Any]:
    problems: Problems = {}
    number = parse_tracking_number(str(body.get("tracking_number") or ""))
    if number is None:
        problems["tracking_number"] = "is not a valid tracking number"
    contact = normalise_contact(body.get("contact"))
    if contact is None:
        problems["contact"] = "must be an e-mail address or a Norwegian or Swedish phone number"
    order = {
        "tracking_number": number.value if number else None,
        "type": _choice(body, "type", complaint_types, problems),
        "description": _text(body, "description", problems, limit=4000),
        "contact": contact,
        "language": _choice(body, "language", LANGUAGES, problems),
    }
    _refuse_if(problems)
    return order


def _refuse_if(problems: Problems) -> None:
    """The message repeats the fields as "field: problem; ..." for clients that only keep the message."""
    if problems:
        listed = "; ".join(f"{field}: {problem}" for field, problem in problems.items())
        raise ApiError(422, "invalid_order", f"The order has invalid fields: {listed}", problems)


def _text(body: Mapping[str, Any], field: str, problems: Problems, limit: int, prefix: str = "") -> Optional[str]:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        problems[prefix + field] = "is required"
        return None
    if len(value) > limit:
        problems[prefix + field] = f"must be at most {limit} characters"
        return None
    return value.strip()


def _choice(body: Mapping[str, Any], field: str, allowed: Sequence[str], problems: Problems) -> Optional[str]:
    value = body.get(field)
    if value not in allowed:
        problems[field] = "must be one of " + ", ".join(allowed)
        return None
    return value


def _flag(body: Mapping[str, Any], field: str, problems: Problems) -> Optional[bool]:
    value = body.get(field)
    if not isinstance(value, bool):
        problems[field] = "must be true or false"
        return None
    return value


def _date(body: Mapping[str, Any], field: str, problems: Problems, required: bool = True) -> Optional[dt.date]:
    value = body.get(field)
    if value is None and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        problems[field] = "must be a date (YYYY-MM-DD)"
        return None


def _address(body: Mapping[str, Any], field: str, problems: Problems) -> Optional[Dict[str, str]]:
    value = body.get(field)
    if not isinstance(value, Mapping):
        problems[field] = "must be an object with street, postcode, town and country"
        return None
    prefix = field + "."
    street = _text(value, "street", problems, limit=200, prefix=prefix)
    town = _text(value, "town", problems, limit=100, prefix=prefix)
    country = value.get("country")
    if country not in COUNTRIES:
        problems[prefix + "country"] = "must be one of " + ", ".join(COUNTRIES)
        return None
    postcode = normalise_postcode(str(value.get("postcode") or ""))
    registered = town_of(postcode, country) if postcode else None
    if registered is None:
        problems[prefix + "postcode"] = f"is not a postcode in {country}"
    elif town is not None and not same_town(town, registered):
        problems[prefix + "town"] = f"does not match postcode {postcode} ({registered})"
    if street is None or registered is None or town is None:
        return None
    return {"street": street, "postcode": postcode, "town": registered, "country": country}
