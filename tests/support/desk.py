"""Agents and supervisors at the desk, through the desk's HTTP API as the pages use it."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any, Dict, List, Optional

import requests

from bot import project

PASSWORD = "ett langt nok passord 123"


def add_user(
    assistant: Any, first_name: str, role: str = "agent", languages: str = "nb,sv", topics: Optional[str] = None
) -> str:
    """A desk user made with the real command (`kundesenter agents add`); returns the username."""
    username = f"{first_name.lower()}-{uuid.uuid4().hex[:6]}"
    options = ["--username", username, "--first-name", first_name, "--role", role, "--languages", languages]
    agents_command(assistant, "add", *options, *(["--topics", topics] if topics else [])).check_returncode()
    return username


def agents_command(assistant: Any, action: str, *options: str, password: str = PASSWORD) -> subprocess.CompletedProcess:
    """`kundesenter agents ACTION ...` on the running desk's database, the password given as $DESK_PASSWORD."""
    command = [sys.executable, "-m", "bot.cli", "agents", action, *options, "--database-url", assistant.desk_database_url]
    env = {**os.environ, "DESK_PASSWORD": password, "PYTHONPATH": str(project.ROOT)}
    return subprocess.run(command, env=env, cwd=project.ROOT, capture_output=True, text=True, timeout=120)


class DeskUser:
    """A logged-in agent or supervisor (bearer token from the JSON log-in)."""

    def __init__(self, assistant: Any, username: str, password: str = PASSWORD) -> None:
        self.url = assistant.desk_url
        self.http = requests.Session()
        response = self.http.post(f"{self.url}/login", json={"username": username, "password": password}, timeout=60)
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['token']}"

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.url + path, params=params, timeout=60)

    def post(self, path: str, body: Optional[Dict[str, Any]] = None) -> requests.Response:
        return self.http.post(self.url + path, json=body or {}, timeout=60)

    def waiting(self) -> List[Dict[str, Any]]:
        response = self.get("/api/queue")
        response.raise_for_status()
        return response.json()["waiting"]

    def handoff_of(self, session_id: str) -> Dict[str, Any]:
        """The waiting hand-off of this conversation (AssertionError if it is not queued for this agent)."""
        matching = [item for item in self.waiting() if item["sender_id"] == session_id]
        assert matching, f"{session_id} is not in the queue"
        return matching[0]

    def conversation(self, handoff_id: int) -> Dict[str, Any]:
        response = self.get(f"/api/handoffs/{handoff_id}")
        response.raise_for_status()
        return response.json()
