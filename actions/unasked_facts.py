"""Facts given without a question start the flow they belong to.

"Hei, jeg heter Kari Holm og flytter fra Storgata 5, 0155 Oslo til Bryggen 12, 5003 Bergen …" reads
to the NLU much like the answers customers give inside a form (`inform`), with no form running.
Instead of asking "how can I help?", the fact reader looks at the message: a move (an address the
customer moves from or to, or a stay with a start and an end: "jobber i Kiruna fra onsdag til og med
22. januar, vil ha en midlertidig adresse") starts the address change, which then reads every fact in
it; a wish for another delivery ("legg den i postkassen") after a parcel was tracked books its delivery.
"""

import datetime as dt
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.understanding.facts import Context, address_change_facts, asks_for_other_delivery
from bot.understanding.words import contains_phrase, word_set

MOVE_FACTS = ("old_address", "new_address")
STAY_FACTS = ("moving_date", "end_date")


class ActionUseUnaskedFacts(Action):
    def name(self) -> Text:
        return "action_use_unasked_facts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        if tracker.get_slot("tracking_number") and asks_for_other_delivery(text):
            return [FollowupAction("booking_form")]
        facts = address_change_facts(text, Context(dt.date.today()))
        stay = all(slot in facts for slot in STAY_FACTS) and contains_phrase(text, word_set("stay_words"))
        if any(slot in facts for slot in MOVE_FACTS) or stay:
            return [FollowupAction("address_change_form")]
        dispatcher.utter_message(response="utter_how_can_i_help")
        return []
