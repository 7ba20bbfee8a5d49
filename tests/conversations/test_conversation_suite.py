"""The conversation suite: customers' whole conversations against the real assistant, judged by outcome.

Every conversation must be solved, except those listed in known_gaps.yml with the reason (xfail, not
strict: a model trained on another machine may differ on a borderline message; a listed conversation
that passes is reported as XPASS and belongs off the list). The figures per language
(solved, solved at the first go, average turns) go to var/reports/conversations.json and the
terminal summary; README "Conversation suite" quotes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import yaml

from bot import project
from tests.support import conversation_suite as suite

pytestmark = pytest.mark.e2e

CONVERSATIONS = suite.load()
KNOWN_GAPS: Dict[str, str] = yaml.safe_load((Path(__file__).parent / "known_gaps.yml").read_text(encoding="utf-8")) or {}
REPORT = project.ROOT / "var" / "reports" / "conversations.json"


@pytest.fixture(scope="module")
def outcomes(request: pytest.FixtureRequest) -> Iterator[List[suite.Outcome]]:
    """Every played conversation; at the end the figures per language go to REPORT and the terminal."""
    played: List[suite.Outcome] = []
    yield played
    if not played:
        return
    figures = suite.summary(played)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"figures": figures, "conversations": [o.as_json() for o in played]}, indent=1))
    lines = [
        f"conversation suite, {language}: {row['conversations']} conversations, solved {row['solved']:.2f}, "
        f"at the first go {row['first_go']:.2f}, {row['average_turns']:.1f} customer messages on average"
        for language, row in figures.items()
    ]
    lines += [f"  {o.conversation.id}: {o.why}" for o in played if not o.first_go]
    lines.append(f"figures in {REPORT.relative_to(project.ROOT)}")
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if terminal is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # the figures belong in the run's output, not a captured section
            terminal.write_line("")
            for line in lines:
                terminal.write_line(line)


def test_every_known_gap_names_a_conversation():
    assert set(KNOWN_GAPS) <= {conversation.id for conversation in CONVERSATIONS}


def test_the_suite_is_large_enough_per_language():
    for language in ("nb", "sv"):
        assert sum(c.language == language for c in CONVERSATIONS) >= 60, language


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c.id for c in CONVERSATIONS])
def test_conversation_is_solved(assistant, conversation, outcomes, request):
    if conversation.id in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[conversation.id], strict=False))
    outcome = suite.play(assistant, conversation)
    outcomes.append(outcome)
    assert outcome.solved, f"{outcome.why}\n" + "\n".join(outcome.transcript)
