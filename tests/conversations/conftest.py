"""Writes the conversation suite's figures once its conversations have run."""

from __future__ import annotations

import json

import pytest

from bot import project
from tests.support import conversation_suite as suite

REPORT = project.ROOT / "var" / "reports" / "conversations.json"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.conversations.test_conversation_suite import OUTCOMES

    if not OUTCOMES:
        return
    figures = suite.summary(OUTCOMES)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps({"figures": figures, "conversations": [o.as_json() for o in OUTCOMES]}, indent=1))
    terminalreporter.section("conversation suite")
    for language, row in figures.items():
        terminalreporter.write_line(
            f"{language}: {row['conversations']} conversations, solved {row['solved']:.2f}, "
            f"first go {row['first_go']:.2f}, {row['average_turns']:.1f} customer messages on average"
        )
    for outcome in OUTCOMES:
        if not outcome.first_go:
            terminalreporter.write_line(f"  {outcome.conversation.id}: {outcome.why}")
    terminalreporter.write_line(f"figures in {REPORT.relative_to(project.ROOT)}")
