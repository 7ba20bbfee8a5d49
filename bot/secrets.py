"""The shared secrets between the Rasa server, the action server and the desk.

Each comes from the environment (`KUNDESENTER_<NAME>`), so a deployment keeps
them in its secret store; on a developer's machine it is generated once into a
file of the secrets directory (mode 0600) so that a restart keeps customers'
conversation tokens and the agents' sessions valid. That directory is outside
the project (`$KUNDESENTER_SECRETS_DIR`, else `$XDG_CONFIG_HOME/kundesenter/secrets`,
else `~/.config/kundesenter/secrets`): a copy, archive or image of the project
folder then carries no secret. Secrets an older version generated into the
project's `var/secrets/` are moved there once.
"""

from __future__ import annotations

import os
import secrets as random
import shutil
from pathlib import Path
from typing import Dict, Optional

from bot import project

RASA_TOKEN = "rasa_token"  # Rasa's auth token (bot/hotpath gives it): the HTTP API reads every conversation
WEBCHAT_SECRET = "webchat_secret"  # signs a web-chat conversation id, so knowing an id is not enough
DESK_SERVICE_TOKEN = "desk_service_token"  # the action server's bearer token for the desk's /internal API
VOICE_GATEWAY_TOKEN = "voice_gateway_token"  # the voice gateway's bearer token for Rasa's voice channel
ACTION_SERVER_TOKEN = "action_server_token"  # Rasa's bearer token for the action server (endpoints.yml)
BACKEND_ADMIN_TOKEN = "backend_admin_token"  # `privacy forget`'s bearer token for the back-end's erasure
NAMES = (RASA_TOKEN, WEBCHAT_SECRET, DESK_SERVICE_TOKEN, VOICE_GATEWAY_TOKEN, ACTION_SERVER_TOKEN, BACKEND_ADMIN_TOKEN)

DIRECTORY_VARIABLE = "KUNDESENTER_SECRETS_DIR"
LEGACY_DIRECTORY = project.VAR / "secrets"  # where versions before the move kept them, inside the project


def variable(name: str) -> str:
    return f"KUNDESENTER_{name.upper()}"


def default_directory() -> Path:
    configured = os.environ.get(DIRECTORY_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    config_home = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config_home) / "kundesenter" / "secrets"


def migrate(legacy: Path, directory: Path) -> None:
    """Move secrets from the project's old `var/secrets/` to `directory`, keeping any already there; mode 0600."""
    if not legacy.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for old in legacy.iterdir():
        new = directory / old.name
        try:
            if new.exists():
                old.unlink()
            else:
                shutil.move(str(old), str(new))
                new.chmod(0o600)
        except FileNotFoundError:  # another process moved it first
            pass
    try:
        legacy.rmdir()
    except OSError:  # not empty (something else was put there) or already gone: leave it
        pass


def secret(name: str, directory: Optional[Path] = None) -> str:
    """The secret from the environment, else from its file, else a new one written to that file."""
    value = os.environ.get(variable(name))
    if value:
        return value
    if directory is None:
        directory = default_directory()
        migrate(LEGACY_DIRECTORY, directory)
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


def environment(directory: Optional[Path] = None) -> Dict[str, str]:
    """All secrets as the environment variables the servers read, for starting them as child processes."""
    return {variable(name): secret(name, directory) for name in NAMES}
