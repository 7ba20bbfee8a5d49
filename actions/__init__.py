"""Rasa SDK action server: `rasa run actions --actions actions` loads every module here."""

from actions import address_change, booking, cancel, complaint, fallback, language, tracking, unasked_facts  # noqa: F401
