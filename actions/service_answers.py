"""Answers about the carrier's services from the knowledge base (knowledge/topics.yml).

The NLU finds the topic (bot/nlu/service_topic.py) and puts it on the message as the entity
`service_topic`; this module renders the topic's answer in the customer's language, the phone
variant on a call, with the link to read more in chat. Figures that change (prices, how long a
parcel is kept, size limits) are asked of the carrier's back-end for the question's weight and
destination, so the bot never quotes an old price. When a figure cannot be had, the caller gets the
honest answer instead of a guess (`None` here).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any, Dict, Optional

from babel import Locale

from actions import carrier
from actions.carrier.errors import CarrierError
from bot import knowledge
from actions.texts import COUNTRY, render
from bot.language import formatting
from bot.understanding import shipping

logger = logging.getLogger(__name__)

LIGHTEST = 1  # grams: a price question without a weight is answered for the lightest step, as "up to …"


def found_topic(message: Dict[str, Any]) -> Optional[str]:
    """The knowledge-base topic the NLU found in ``message``, if it is one the knowledge base still has."""
    found = next((e.get("value") for e in message.get("entities") or [] if e.get("entity") == "service_topic"), None)
    return found if found in knowledge.load().topics else None


def _grams_text(grams: int) -> str:
    if grams < 1000:
        return f"{grams} g"
    kilos = Decimal(grams) / 1000
    return f"{kilos.normalize():f}".replace(".", ",") + " kg"


def _country_name(code: str, language: str) -> str:
    return Locale(language).territories.get(code, code)


async def _price_values(domain: Dict[str, Any], text: str, language: str) -> Dict[str, str]:
    home = COUNTRY[language]
    grams = shipping.weight_grams(text)
    place = shipping.destination(text, home) or shipping.Destination(home)
    kind = "letter" if shipping.is_letter(text) else "parcel"
    price = await carrier.backend().price(home, kind, grams or LIGHTEST, place.code)
    weight = _grams_text(grams or price.up_to_g)
    return {
        "price": formatting.money(price.price.amount, price.price.currency, language),
        "weight": weight if grams else render(domain, "utter_text_up_to", language, weight=weight),
        "destination": place.town or _country_name(place.code, language),
    }


async def _holding_values(language: str) -> Dict[str, str]:
    held = await carrier.backend().holding_times(COUNTRY[language])
    return {"days": str(held.pickup_point_days)}


async def _size_values(domain: Dict[str, Any], language: str) -> Dict[str, str]:
    limits = await carrier.backend().size_limits(COUNTRY[language])
    parts = [
        render(domain, f"utter_text_product_{limit.product}", language)
        + f" {limit.max_length_cm:g} × {limit.max_width_cm:g} × {limit.max_height_cm:g} cm, {limit.max_weight_kg:g} kg"
        for limit in limits
    ]
    return {"limits": "; ".join(parts).replace(".", ",")}


async def _values(domain: Dict[str, Any], lookup: Optional[str], text: str, language: str) -> Dict[str, str]:
    if lookup == "price":
        return await _price_values(domain, text, language)
    if lookup == "holding_days":
        return await _holding_values(language)
    if lookup == "size_limits":
        return await _size_values(domain, language)
    return {}


async def answer(domain: Dict[str, Any], topic_id: str, text: str, language: str, on_phone: bool) -> Optional[str]:
    """The topic's answer to ``text``, or None when the figures it needs cannot be had now."""
    base = knowledge.load()
    topic, words = base.topics[topic_id], base.text(topic_id, language)
    try:
        values = await _values(domain, topic.lookup, text, language)
    except CarrierError as problem:
        logger.warning("no %s figures for topic %s: %s", topic.lookup, topic_id, problem)
        return None
    if on_phone:
        return words.phone.format(**values)
    return words.answer.format(**values) + "\n" + render(domain, "utter_text_read_more", language, link=base.link(topic_id, language))
