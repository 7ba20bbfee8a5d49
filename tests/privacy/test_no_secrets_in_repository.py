"""Secrets come only from the environment or from files outside the repository.

Two checks over what git tracks: nothing that looks like a real secret (a
private key, a provider's token, a long random value assigned to a name like
`token` or `password`) in any configuration or source file; and the Rasa
configuration files, which a deployment edits, take secrets only as `${ENV}`.
Each check is first shown a planted secret, so a check that finds nothing
proves something.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
import yaml

from bot import project

SCANNED_SUFFIXES = {".py", ".yml", ".yaml", ".json", ".toml", ".cfg", ".ini", ".env", ".sh", ".txt", ".js", ".html"}
PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")
PROVIDER_TOKENS = re.compile(
    r"\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|xox[abprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{20,}"
    r"|AC[0-9a-f]{32}|SK[0-9a-f]{32})\b"
)
# name = "value" / name: value, where the name says secret and the value is one unbroken random-looking string
SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b[\w-]*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key|auth[_-]?key)[\w-]*[\"']?"
    r"\s*[:=]\s*[\"']([A-Za-z0-9+/_=.-]{16,})[\"']"
)
SECRET_NAME = re.compile(r"(?i)password|passwd|secret|token|api[_-]?key|private[_-]?key|auth|credential")
# The tests' stub servers use keys that say they are fake; those are allowed.
PLACEHOLDER = re.compile(r"(?i)(?:0123456789|abcdef|x)+")
ENV_REFERENCE = re.compile(r"(?:Bearer )?\$\{\w+\}")  # an Authorization header names its scheme first
RASA_CONFIG = ["credentials.yml", "endpoints.yml"]


def looks_random(value: str) -> bool:
    """Letters and digits mixed, as generated secrets are; code identifiers and words are not."""
    mixed = re.search(r"\d", value) and re.search(r"[A-Za-z]", value)
    return bool(mixed) and not value.isidentifier() and not PLACEHOLDER.fullmatch(value)


def secrets_in(text: str) -> List[str]:
    found = PRIVATE_KEY.findall(text) + PROVIDER_TOKENS.findall(text)
    found += [value for value in SECRET_ASSIGNMENT.findall(text) if looks_random(value)]
    return found


def tracked_files() -> Iterator[Path]:
    """What git tracks, and new files it would add (not ignored): a secret is caught before its first commit."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=project.ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    )
    for name in listed.stdout.decode().split("\0"):
        path = project.ROOT / name
        if name and path.suffix in SCANNED_SUFFIXES and path.is_file() and path != Path(__file__):  # its planted ones
            yield path


def literal_secrets(node: Any, key: str = "") -> Iterator[Tuple[str, str]]:
    """(key, value) for every value under a secret-sounding key, or a URL with a password, that is not ${ENV}."""
    if isinstance(node, dict):
        for name, value in node.items():
            yield from literal_secrets(value, str(name))
    elif isinstance(node, list):
        for value in node:
            yield from literal_secrets(value, key)
    elif node is not None and not ENV_REFERENCE.fullmatch(str(node).strip()):
        text = str(node)
        if SECRET_NAME.search(key) or re.search(r"://[^/@\s]+:[^/@\s]+@", text):
            yield key, text


@pytest.mark.parametrize(
    "planted",
    [
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
        'RASA_TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"',
        "  auth_token: 'c2VjcmV0LXRva2VuLTEyMzQ1Njc4OTA='",
        'twilio_sid = "AC0123456789abcdef0123456789abcdef"',
    ],
)
def test_the_scan_finds_a_planted_secret(planted):
    assert secrets_in(planted)


def test_the_scan_leaves_names_words_and_environment_references_alone():
    text = """
    token = os.environ["KUNDESENTER_RASA_TOKEN"]
    password: ${SIP_PASSWORD}
    PASSWORD = "ett langt nok passord 123"
    secret_name = "webchat_secret"
    DESK_SERVICE_TOKEN = "desk_service_token"
    API_KEY = "0123456789abcdef0123456789abcdef"
    """
    assert secrets_in(text) == []


def test_no_tracked_file_holds_a_secret():
    found = {path: hits for path in tracked_files() if (hits := secrets_in(path.read_text(errors="ignore")))}
    assert found == {}


def test_the_check_of_rasa_configuration_refuses_a_literal_password():
    planted = yaml.safe_load(
        "tracker_store:\n  type: SQL\n  password: hunter2\n  url: postgresql://kundesenter:hunter2@db/x\n"
    )
    assert [key for key, _ in literal_secrets(planted)] == ["password", "url"]
    assert list(literal_secrets(yaml.safe_load("tracker_store:\n  password: ${DB_PASSWORD}\n"))) == []


@pytest.mark.parametrize("name", RASA_CONFIG)
def test_rasa_configuration_takes_secrets_only_from_the_environment(name):
    assert list(literal_secrets(yaml.safe_load((project.ROOT / name).read_text(encoding="utf-8")))) == []
