"""Fixes for costs on Rasa's per-message path that are in our control, applied before Rasa starts.

Each fix keeps Rasa's behaviour (same checks, same answers) and removes work Rasa repeats
needlessly on every message; bench/chat.py measures what each message costs with and without
them. `python -m bot.hotpath run ...` is `rasa run ...` with them installed (bot/services.py
starts Rasa that way, so the single process and the scaled topology both get them).
"""

from __future__ import annotations

from bot.hotpath import action_results, sqlite


def install() -> None:
    """Apply every fix to the Rasa modules of this process (idempotent)."""
    action_results.install()
    sqlite.install()
