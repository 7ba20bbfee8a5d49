"""The conversation suite: customers' whole conversations against the real assistant, judged by outcome.

Every conversation must be solved, except those listed in known_gaps.yml with the reason; a listed
one that starts to pass fails (strict xfail) so the list only shrinks. The figures per language
(solved, solved at the first go, average turns) go to var/reports/conversations.json and the
terminal summary; README "Conversation suite" quotes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from tests.support import conversation_suite as suite

pytestmark = pytest.mark.e2e

CONVERSATIONS = suite.load()
KNOWN_GAPS: Dict[str, str] = yaml.safe_load((Path(__file__).parent / "known_gaps.yml").read_text(encoding="utf-8")) or {}
OUTCOMES: List[suite.Outcome] = []


def test_every_known_gap_names_a_conversation():
    assert set(KNOWN_GAPS) <= {conversation.id for conversation in CONVERSATIONS}


def test_the_suite_is_large_enough_per_language():
    for language in ("nb", "sv"):
        assert sum(c.language == language for c in CONVERSATIONS) >= 60, language


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
def test_conversation_is_solved(assistant, conversation, request):
    if conversation.id in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[conversation.id], strict=True))
    outcome = suite.play(assistant, conversation)
    OUTCOMES.append(outcome)
    assert outcome.solved, f"{outcome.why}\n" + "\n".join(outcome.transcript)
