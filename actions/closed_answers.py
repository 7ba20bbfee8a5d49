"""Whether the customer's latest message answers the closed question a form just asked, though NLU heard "stop".

NLU reads "nei, heller hente selv" or "nei takk, trenger ikke" as `stop` often enough; inside a
form such an answer is a choice, not a wish to cancel. `action_cancel_form` asks here first:
when the message names one of the question's options and no cancel word ("avbryt", "glem det"),
the answer goes to the form instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional, Text, Tuple

from rasa_sdk import Tracker

from actions.booking import offered_options
from actions.choices import match_choice, says_cancel, yes_or_no
from actions.option_choice import read_option

# Closed questions answered by a section of choices.yml.
WORDED = ("change_type", "complaint_type")
YES_NO = ("mail_forwarding",)
SHORT_ANSWER_WORDS = 6  # "nei takk, trenger ikke det"; a longer "nei, ..." may well mean "stop"


def answered_slot(tracker: Tracker) -> Optional[Tuple[Text, Any]]:
    """(requested slot, value to validate) when the latest message answers the form's closed question."""
    slot = tracker.get_slot("requested_slot")
    text = (tracker.latest_message or {}).get("text") or ""
    if not slot or not text or says_cancel(text):
        return None
    if slot == "delivery_option":
        answer = read_option(text, offered_options(tracker), dt.date.today())
        return (slot, text) if answer.chosen or answer.candidates else None
    if slot in WORDED:
        return (slot, text) if match_choice(slot, text) else None
    if slot in YES_NO and len(text.split()) <= SHORT_ANSWER_WORDS:
        answer = yes_or_no(text)
        return None if answer is None else (slot, answer)
    return None
