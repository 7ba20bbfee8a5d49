"""Where the assistant's files live, so every command and test agrees on them."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("KUNDESENTER_HOME", Path(__file__).resolve().parent.parent))
CONFIG = ROOT / "config.yml"
DOMAIN = ROOT / "domain"
DATA = ROOT / "data"
ENDPOINTS = ROOT / "endpoints.yml"
CREDENTIALS = ROOT / "credentials.yml"
MODELS = ROOT / "models"
VAR = ROOT / "var"
HELDOUT = ROOT / "tests" / "nlu"


def desk_database_url() -> str:
    """One database for the desk: accounts, hand-off queue and surveys (DESK_DATABASE_URL, else a SQLite file)."""
    return os.environ.get("DESK_DATABASE_URL") or f"sqlite:///{VAR / 'desk.db'}"
