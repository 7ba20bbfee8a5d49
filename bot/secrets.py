"""The shared secrets between the Rasa server, the action server and the desk.

Each comes from the environment (`KUNDESENTER_<NAME>`), so a deployment keeps
them in its secret store; on a developer's machine it is generated once into
`var/secrets/<name>` (mode 0600, never in the repository) so that a restart
keeps customers' conversation tokens and the agents' sessions valid.
"""

from __future__ import annotations

import os
import secrets as random
from pathlib import Path
from typing import Dict

from bot import project

RASA_TOKEN = "rasa_token"  # Rasa's --auth-token: the HTTP API reads every conversation
WEBCHAT_SECRET = "webchat_secret"  # signs a web-chat conversation id, so knowing an id is not enough
DESK_SERVICE_TOKEN = "desk_service_token"  # the action server's bearer token for the desk's /internal API
VOICE_GATEWAY_TOKEN = "voice_gateway_token"  # the voice gateway's bearer token for Rasa's voice channel
NAMES = (RASA_TOKEN, WEBCHAT_SECRET, DESK_SERVICE_TOKEN, VOICE_GATEWAY_TOKEN)


def variable(name: str) -> str:
    return f"KUNDESENTER_{name.upper()}"


def secret(name: str, directory: Path = project.VAR / "secrets") -> str:
    """The secret from the environment, else from its file, else a new one written to that file."""
    value = os.environ.get(variable(name))
    if value:
        return value
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(random.token_hex(32))
    return path.read_text().strip()


def environment(directory: Path = project.VAR / "secrets") -> Dict[str, str]:
    """All secrets as the environment variables the servers read, for starting them as child processes."""
    return {variable(name): secret(name, directory) for name in NAMES}
