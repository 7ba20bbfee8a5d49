"""A turn whose custom action failed ends with a clear message instead of silence.

Rasa 3.6.21 catches any exception of an action in `MessageProcessor._run_action`, logs
"Encountered an exception while running action", drops the action's events and goes on
predicting: with the action server down (connection refused, a proxy's 502, a timeout, an
error answer) every turn answers `200 []`, the web chat shows typing dots and then nothing and
a caller hears silence. Here, when a call to the action server failed while an action ran, the
customer gets texts.yml's message in their language on the turn's own output channel (REST, web
chat, voice), it is logged on the tracker as the bot's, and the turn ends listening, so the
conversation goes on normally once the action server is back.

Installed by `python -m bot.hotpath` (how every topology starts Rasa), in the Rasa process itself,
so it needs nothing from the action server and works with any number of Rasa processes.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any, List, Optional

from rasa.core.actions.action import Action, ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.actions_down import notice

logger = logging.getLogger(__name__)

# The names of the custom actions whose call to the action server failed during the action being run.
_failed: ContextVar[Optional[List[str]]] = ContextVar("actions_down_failed", default=None)

_run_remote = RemoteAction.run
_run_action = MessageProcessor._run_action


async def run_remote(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    """`RemoteAction.run`, noting a failure (not a rejection, which lets other policies act) before raising it."""
    try:
        return await _run_remote(self, *args, **kwargs)
    except ActionExecutionRejection:
        raise
    except Exception:
        failed = _failed.get()
        if failed is not None:
            failed.append(self.name())
        raise


async def run_action(
    self: MessageProcessor,
    action: Action,
    tracker: DialogueStateTracker,
    output_channel: OutputChannel,
    nlg: NaturalLanguageGenerator,
    prediction: PolicyPrediction,
) -> bool:
    """`MessageProcessor._run_action`; if the action server failed meanwhile, the customer is told and the bot listens."""
    failed: List[str] = []
    token = _failed.set(failed)
    try:
        go_on = await _run_action(self, action, tracker, output_channel, nlg, prediction)
    finally:
        _failed.reset(token)
    if not failed:
        return go_on
    latest = tracker.latest_message or UserUttered()
    language = notice.language(tracker.get_slot("language"), latest.parse_data.get("language_detection"), latest.metadata,
                               output_channel.name())
    message = notice.message(language, output_channel.name())
    logger.error("The action server failed for %s; the customer is told to try again (%s)", ", ".join(failed), language)
    if not _already_told(tracker, message["text"]):
        said = BotUttered(message["text"], data={k: v for k, v in message.items() if k != "text"})
        tracker.update(said, self.domain)
        await output_channel.send_response(tracker.sender_id, said.message())
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME), self.domain)
    return False


def _already_told(tracker: DialogueStateTracker, text: str) -> bool:
    """Whether this turn already carries the message (a failed session start, then a failed action)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.text == text:
            return True
    return False


def install() -> None:
    """Wrap Rasa's action run and its action-server call (idempotent)."""
    RemoteAction.run = run_remote  # type: ignore[method-assign]
    MessageProcessor._run_action = run_action  # type: ignore[method-assign]
