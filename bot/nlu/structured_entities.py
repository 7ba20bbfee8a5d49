"""Entities with a strict shape come from patterns and checks, never from a guess.

DIET also learns to tag tracking numbers, phones and e-mails from the examples,
but only a regex plus a check digit can tell ``LA123456785NO`` from a typo. This
extractor runs after DIET, replaces its guesses for those types with validated,
normalised values, and cleans up the postcodes DIET found. A national identity
number is never an entity (no slot, so it never reaches the carrier's back-end), not
even a piece of one DIET took for a postcode or an order number.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Iterator, List, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.identifiers.contact import find_emails, find_phone_numbers, normalise_postcode
from bot.identifiers.national_id import find_national_ids
from bot.identifiers.tracking import find_misspelt_tracking_numbers, find_tracking_numbers

Finder = Callable[[str], Iterator[Tuple[str, int, int]]]


def _tracking(text: str) -> Iterator[Tuple[str, int, int]]:
    for number in find_tracking_numbers(text):
        yield number.value, number.start, number.end


def _misspelt_tracking(text: str) -> Iterator[Tuple[str, int, int]]:
    for number in find_misspelt_tracking_numbers(text):
        yield number.value, number.start, number.end


# tracking_number_invalid has no slot: it lets a rule start tracking on a mistyped number,
# where the form's validation tells the customer which check failed.
FINDERS: Dict[str, Finder] = {
    "tracking_number": _tracking,
    "tracking_number_invalid": _misspelt_tracking,
    "email": find_emails,
    "phone": find_phone_numbers,
}
_TRACKING = ("tracking_number", "tracking_number_invalid")
_SWEDISH_POSTCODE_TAIL = re.compile(r"^\s\d{2}(?!\d)")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class StructuredEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Validated tracking numbers, e-mails and phone numbers; normalised postcodes."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StructuredEntityExtractor":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            entities = [e for e in message.get(ENTITIES, []) if e[ENTITY_ATTRIBUTE_TYPE] not in FINDERS]
            entities = [e for e in (self._clean_postcode(e, text) for e in entities) if e]
            identity_numbers = [(start, end) for _, start, end in find_national_ids(text)]
            entities = [
                e for e in entities if not _overlaps(e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END], identity_numbers)
            ]
            occupied = [(start, end) for _, start, end in [*_tracking(text), *_misspelt_tracking(text)]]
            for entity_type, finder in FINDERS.items():
                for value, start, end in finder(text):
                    if entity_type not in _TRACKING and _overlaps(start, end, occupied):
                        continue
                    entities.append(self._entity(entity_type, value, start, end))
            entities = [e for e in entities if not self._inside_structured(e, entities)]
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _entity(self, entity_type: str, value: str, start: int, end: int) -> Dict[str, Any]:
        entity = {
            ENTITY_ATTRIBUTE_TYPE: entity_type,
            ENTITY_ATTRIBUTE_VALUE: value,
            ENTITY_ATTRIBUTE_START: start,
            ENTITY_ATTRIBUTE_END: end,
        }
        return self.add_extractor_name([entity])[0]

    @staticmethod
    def _clean_postcode(entity: Dict[str, Any], text: str) -> Dict[str, Any] | None:
        if entity[ENTITY_ATTRIBUTE_TYPE] != "postcode":
            return entity
        end = entity[ENTITY_ATTRIBUTE_END]
        tail = _SWEDISH_POSTCODE_TAIL.match(text[end:])
        if tail and len(str(entity[ENTITY_ATTRIBUTE_VALUE]).strip()) == 3:
            end += tail.end()  # DIET tagged only "114" of "114 55"
        value = normalise_postcode(text[entity[ENTITY_ATTRIBUTE_START] : end])
        if value is None:
            return None
        return {**entity, ENTITY_ATTRIBUTE_VALUE: value, ENTITY_ATTRIBUTE_END: end}

    @staticmethod
    def _inside_structured(entity: Dict[str, Any], entities: List[Dict[str, Any]]) -> bool:
        """A DIET entity (say a postcode) that lies inside a tracking number or phone number."""
        if entity[ENTITY_ATTRIBUTE_TYPE] in FINDERS:
            return False
        return any(
            other[ENTITY_ATTRIBUTE_TYPE] in FINDERS
            and other[ENTITY_ATTRIBUTE_START] <= entity[ENTITY_ATTRIBUTE_START]
            and entity[ENTITY_ATTRIBUTE_END] <= other[ENTITY_ATTRIBUTE_END]
            for other in entities
        )


def _overlaps(start: int, end: int, spans: List[Tuple[int, int]]) -> bool:
    return any(start < s_end and s_start < end for s_start, s_end in spans)
