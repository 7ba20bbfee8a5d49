"""Validate the action server's answers with a validator built once, not once per answer.

Rasa checks every answer of the action server against a fixed JSON schema with
`jsonschema.validate(answer, schema)`. That call first checks the schema itself against
the draft 2020-12 meta-schema and builds a new validator, on every custom action call: with
jsonschema 4.17 about 35–55 ms of CPU on the event loop per call, the largest single cost of
one of our messages (several custom actions run per message: slot validation, forms,
tracking). The schema never changes, so it is checked once here and its validator reused;
invalid answers still raise the same `ValidationError` with Rasa's hint appended.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

from jsonschema import Validator, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

_RASA_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action endpoint is "
    "valid. For more information about the format visit {docs}/custom-actions"
)


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    """Rasa's schema for action server answers, checked once, and the validator `jsonschema.validate` would pick."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """`RemoteAction._validate_action_result` with the cached validator; raises what `jsonschema.validate` raises."""
    error = exceptions.best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += _RASA_HINT.format(docs=DOCS_BASE_URL)
        raise error
    return True


def install() -> None:
    """Replace Rasa's check; the validator is built now, at start-up, not on a customer's message."""
    response_validator()
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
