"""Reads `carrier.yml`, filling ${NAME:-default} from the environment."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict

import yaml

from actions.carrier.http import HttpPolicy

CARRIER_CONFIG = Path(__file__).resolve().parents[2] / "carrier.yml"
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def expand(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: expand(item) for key, item in value.items()}
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: os.environ.get(m.group(1), m.group(2) or ""), value)
    return value


def load(path: Path = CARRIER_CONFIG) -> Dict[str, Any]:
    return expand(yaml.safe_load(path.read_text()))


def http_policy(settings: Dict[str, Any]) -> HttpPolicy:
    http = settings.get("http") or {}
    return HttpPolicy(**{key: type(getattr(HttpPolicy, key))(value) for key, value in http.items()})
