"""Opening hours of customer service, or of the pickup point holding the customer's parcel."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import carrier
from actions.carrier.errors import BackendUnavailable, NotFound
from actions.carrier.model import WEEKDAYS, CustomerService, OpeningHours, PickupPoint, Shipment
from actions.opening_days import AskedDay, asked_day, day_label
from actions.texts import COUNTRY, language_of, render
from bot.identifiers.tracking import find_tracking_numbers, has_tracking_shape
from bot.language import formatting

UPCOMING_DAYS = 14
# Words that ask about a pickup point rather than customer service.
_PICKUP_WORDS = re.compile(
    r"hentested|hente|henting|utleveringssted|pakkeautomat|postkontor|post i butikk|postnord-ombud|ombud|"
    r"utlämningsställe|utlamningsstalle|hämta|hamta|paketskåp|paketskap|paketombud|pakkeboks|box",
    re.IGNORECASE,
)


_HOURS_WORDS = re.compile(
    r"åpent|åpen|apent|åpner|apner|åpningstid|apningstid|stenger|stengt|opningstid|"
    r"öppet|oppet|öppnar|oppnar|öppettid|oppettid|stänger|stanger|stängt",
    re.IGNORECASE,
)


def asks_about_hours(text: str) -> bool:
    return bool(_HOURS_WORDS.search(text))


def pickup_point_values(point: PickupPoint, language: str) -> Dict[str, str]:
    """The {pickup_*} values shared by the tracking answers and the opening-hours answer."""
    return {
        "pickup_name": point.name,
        "pickup_address": f"{point.address}, {point.postcode} {point.town}",
        "pickup_hours": describe_week(point.opening_hours, language) if point.opening_hours else "",
    }


def pickup_point_answer(shipment: Shipment, language: str, today: dt.date) -> Optional[Tuple[str, Dict[str, str]]]:
    """The opening hours of the place holding the parcel, or None when it is not at a pickup point."""
    point = shipment.pickup_point
    if point is None or point.opening_hours is None:
        return None
    return "utter_opening_hours_pickup_point", {
        "tracking_number": shipment.tracking_number,
        **pickup_point_values(point, language),
        **today_values(point.opening_hours, language, today),
    }


def describe_week(hours: OpeningHours, language: str) -> str:
    """"mandag–fredag 08–20, lørdag 10–16, søndag stengt": consecutive days with equal hours grouped."""
    names = formatting.WEEKDAYS[language]
    groups: List[List[int]] = []
    for index, day in enumerate(WEEKDAYS):
        if groups and tuple(hours.weekly.get(WEEKDAYS[groups[-1][-1]], ())) == tuple(hours.weekly.get(day, ())):
            groups[-1].append(index)
        else:
            groups.append([index])
    parts = []
    for group in groups:
        days = names[group[0]] if len(group) == 1 else f"{names[group[0]]}–{names[group[-1]]}"
        parts.append(f"{days} {formatting.hours(hours.weekly.get(WEEKDAYS[group[0]], ()), language)}")
    return ", ".join(parts)


def today_values(hours: OpeningHours, language: str, today: dt.date) -> Dict[str, str]:
    return {"today": formatting.date(today, language), "today_hours": formatting.hours(hours.on(today), language)}


def special_days(hours: OpeningHours, language: str, domain: Dict[str, Any], today: dt.date) -> str:
    """Holidays and short days in the coming two weeks, as sentences to append."""
    upcoming = sorted(d for d in hours.special_days if today <= d <= today + dt.timedelta(days=UPCOMING_DAYS))
    return "".join(
        render(
            domain, "utter_text_special_day", language,
            name=hours.special_days[day].name.get(language, ""),
            date=formatting.date(day, language),
            hours=formatting.hours(hours.special_days[day].hours, language),
        )
        for day in upcoming
    )


def _tracking_number(tracker: Tracker, dispatcher: CollectingDispatcher) -> Optional[str]:
    """The parcel of the latest message, else the one discussed before; never the old one past a typo."""
    text = (tracker.latest_message or {}).get("text") or ""
    found = next(find_tracking_numbers(text), None)
    if found:
        return found.value
    if has_tracking_shape(text):
        dispatcher.utter_message(response="utter_tracking_number_check_digit")
        return None
    return tracker.get_slot("tracking_number")


class ActionOpeningHours(Action):
    def name(self) -> Text:
        return "action_opening_hours"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        language = language_of(tracker)
        today = dt.date.today()
        asks_pickup = bool(_PICKUP_WORDS.search((tracker.latest_message or {}).get("text") or ""))
        number = _tracking_number(tracker, dispatcher) if asks_pickup else None
        try:
            if number and await self._pickup_point_hours(number, dispatcher, language, today):
                return [SlotSet("tracking_number", number)]
            service = await carrier.backend().customer_service(COUNTRY[language])
        except BackendUnavailable:
            dispatcher.utter_message(response="utter_backend_down")
            return []
        day = asked_day((tracker.latest_message or {}).get("text") or "", language, today)
        if day is not None:
            self._day_hours(dispatcher, service, day, language)
        else:
            dispatcher.utter_message(
                response="utter_opening_hours_customer_service",
                weekly_hours=describe_week(service.opening_hours, language),
                phone=service.phone,
                special_days=special_days(service.opening_hours, language, domain, today),
                **today_values(service.opening_hours, language, today),
            )
        if asks_pickup:
            dispatcher.utter_message(response="utter_opening_hours_pickup_hint")
        return []

    @staticmethod
    def _day_hours(dispatcher: CollectingDispatcher, service: CustomerService, day: AskedDay, language: str) -> None:
        """A named day ("påskeaften", "17. mai") gets that day's hours, from the back-end's calendar."""
        hours = service.opening_hours.on(day.date)
        values = {
            "day": day_label(day, formatting.date(day.date, language)),
            "phone": service.phone,
            "weekly_hours": describe_week(service.opening_hours, language),
        }
        if hours:
            dispatcher.utter_message(response="utter_opening_hours_day", day_hours=formatting.hours(hours, language), **values)
        else:
            dispatcher.utter_message(response="utter_opening_hours_day_closed", **values)

    @staticmethod
    async def _pickup_point_hours(number: str, dispatcher: CollectingDispatcher, language: str, today: dt.date) -> bool:
        try:
            shipment = await carrier.tracking().shipment(number)
        except NotFound:
            return False
        answer = pickup_point_answer(shipment, language, today)
        if answer is None:
            return False
        response, values = answer
        dispatcher.utter_message(response=response, **values)
        return True
