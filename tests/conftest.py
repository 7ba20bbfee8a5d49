"""Shared fixtures: the project's training data, one real assistant per test session, and test databases."""

from __future__ import annotations

import contextlib
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
import yaml

from bot import project
from bot.language.detector import LanguageModel
from tests.support import early_start, postgres

# Stores that must behave the same on both run every test on each: `-k sqlite` or `-k postgresql` picks one.
DATABASES = ["sqlite", "postgresql"]


def nlu_examples(directory: Path = project.DATA / "nlu") -> List[Dict[str, Any]]:
    """Every training example as {text, intent, language}, read with Rasa's own loader."""
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.nlu.language_detector import training_language

    data = load_data(str(directory))
    return [
        {"text": m.get("text"), "intent": m.get("intent"), "language": training_language(m)}
        for m in data.intent_examples
    ]


@pytest.fixture(scope="session")
def training_examples() -> List[Dict[str, Any]]:
    return nlu_examples()


@pytest.fixture(scope="session")
def language_model(training_examples) -> LanguageModel:
    """The detector trained exactly as the Rasa component trains it (config.yml settings)."""
    config = yaml.safe_load(project.CONFIG.read_text())
    settings = next(c for c in config["pipeline"] if c["name"].endswith("LanguageDetector"))
    return LanguageModel.train(
        [(e["text"], e["language"]) for e in training_examples],
        ngram=settings.get("ngram", 3),
        min_log_odds=settings["min_log_odds"],
        min_known_words=settings["min_known_words"],
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The action server reaches the back-end through a proxy the tests can slow down;
# short timeouts and a short circuit-breaker pause keep outage tests quick and
# keep one test's outage from spilling into the next.
BACKEND_TIMEOUT_SECONDS = 1.0
BACKEND_BREAKER_OPEN_SECONDS = 1.0


ASSISTANT = pytest.StashKey[Any]()


def _start_assistant(work: Path) -> Any:
    """The servers, started without waiting for them: Rasa takes over a minute to load its model."""
    from bot import services
    from bot.model_cache import ensure_model
    from tests.support.contact_centre import AROUND_THE_CLOCK, demo_data_with_hours
    from tests.support.latency_proxy import LatencyProxy

    model = ensure_model()
    proxy = LatencyProxy(_free_port(), target_port=_free_port()).start()
    running = services.start(
        model,
        services.Ports(_free_port(), _free_port(), proxy.target_port, _free_port()),
        tracker_db=work / "tracker.db",
        log_dir=work,
        backend_database_url=f"sqlite:///{work / 'backend.db'}",
        desk_database_url=f"sqlite:///{work / 'desk.db'}",
        backend_seed=demo_data_with_hours(work, AROUND_THE_CLOCK),  # hand-offs must not depend on the hour
        environment={
            "BACKEND_URL": f"http://127.0.0.1:{proxy.listen_port}",
            "BACKEND_TIMEOUT_SECONDS": str(BACKEND_TIMEOUT_SECONDS),
            "BACKEND_BREAKER_OPEN_SECONDS": str(BACKEND_BREAKER_OPEN_SECONDS),
            "LOG_LEVEL": "DEBUG",  # Rasa logs each message's text: tests/e2e/test_privacy.py checks it is redacted
        },
    )
    running.proxy = proxy
    return running


def pytest_collection_finish(session: pytest.Session) -> None:
    early_start.start_if_needed(session, "assistant", ASSISTANT, _start_assistant)


def pytest_sessionfinish(session: pytest.Session) -> None:
    running = session.config.stash.get(ASSISTANT, None)
    if running is not None:
        running.stop()
        running.proxy.stop()


@pytest.fixture(scope="session")
def assistant(request: pytest.FixtureRequest) -> Any:
    """The trained model served by a real Rasa server, action server and reference back-end."""
    from bot import services

    running = early_start.started(request.config, "assistant", ASSISTANT, _start_assistant)
    services.wait_until_ready(running)
    return running


class Outage:
    """Plays a back-end outage in the middle of a conversation: stopped, or slower than the actions wait."""

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:

        self.assistant.stop("backend")
        try:
            yield
        finally:
            self._start_backend()

    def _start_backend(self) -> None:
        from bot import services

        services.respawn(self.assistant, "backend")
        services.wait_for(f"{self.assistant.backend_url}/health", "reference back-end", self.assistant.processes["backend"])
        time.sleep(BACKEND_BREAKER_OPEN_SECONDS)  # let the circuit breaker try again

    def _restart_backend(self) -> None:
        self.assistant.stop("backend")
        self._start_backend()

    @contextlib.contextmanager
    def customer_service_closed(self, directory: Path) -> Iterator[None]:
        """The back-end restarted with customer service closed all day; restored afterwards."""
        from tests.support.contact_centre import CLOSED, demo_data_with_hours

        command = self.assistant.commands["backend"]
        original = list(command)
        command[command.index("--seed") + 1] = str(demo_data_with_hours(directory, CLOSED))
        try:
            self._restart_backend()
            yield
        finally:
            command[:] = original
            self._restart_backend()

    @contextlib.contextmanager
    def slow(self) -> Iterator[None]:
        self.assistant.proxy.delay = BACKEND_TIMEOUT_SECONDS * 3
        try:
            yield
        finally:
            self.assistant.proxy.delay = 0.0
            time.sleep(BACKEND_BREAKER_OPEN_SECONDS)


@pytest.fixture(scope="session")
def supervisor(assistant) -> Any:
    """The desk's first user, who must be a supervisor (`kundesenter agents add --role supervisor`)."""
    from tests.support.desk import DeskUser, add_user

    return DeskUser(assistant, add_user(assistant, "Siri", role="supervisor"))


@pytest.fixture
def outage(assistant) -> Outage:
    return Outage(assistant)


@pytest.fixture
def backend(assistant):
    """GET from the reference back-end, as an agent or auditor would read what the bot stored."""
    return lambda path, **params: requests.get(f"{assistant.backend_url}{path}", params=params, timeout=10).json()


class Customer:
    """One customer talking to the assistant over the REST webhook."""

    def __init__(self, assistant: Any, metadata: Dict[str, Any] | None = None) -> None:
        self.assistant = assistant
        self.sender = f"test-{uuid.uuid4().hex}"
        self.metadata = metadata or {}

    def says(self, text: str) -> List[Dict[str, Any]]:
        response = requests.post(
            self.assistant.rest_url,
            json={"sender": self.sender, "message": text, "metadata": self.metadata},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def tracker(self) -> Dict[str, Any]:
        url = f"{self.assistant.rasa_url}/conversations/{self.sender}/tracker"
        return requests.get(url, params={"token": self.assistant.rasa_token}, timeout=30).json()


@pytest.fixture
def customer(assistant):
    return lambda **metadata: Customer(assistant, metadata)


@pytest.fixture(scope="session")
def responses() -> Dict[str, Dict[str, Dict[str, Any]]]:
    """Domain responses by name and language as the chat says them: responses["utter_greet"]["sv"]["text"]."""
    return domain_responses(channel=None)


@pytest.fixture(scope="session")
def voice_responses() -> Dict[str, Dict[str, Dict[str, Any]]]:
    """As `responses`, but what a caller hears: the `channel: voice` variant where there is one."""
    return domain_responses(channel="voice")


def domain_responses(channel: Optional[str]) -> Dict[str, Dict[str, Dict[str, Any]]]:
    table: Dict[str, Dict[str, Dict[str, Any]]] = {}
    for file in sorted(project.DOMAIN.glob("*.yml")):
        for name, variations in (yaml.safe_load(file.read_text()).get("responses") or {}).items():
            for variation in sorted(variations, key=lambda v: v.get("channel") == channel):  # the channel's last
                if variation.get("channel") in (None, channel):
                    language = next(c["value"] for c in variation.get("condition", []) if c["name"] == "language")
                    table.setdefault(name, {})[language] = variation
    return table


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[postgres.Cluster]:
    """A throwaway PostgreSQL cluster, started the first time a PostgreSQL test needs it."""
    bindir = postgres.server_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed: "
            "run scripts/install-system-packages.sh (Debian package postgresql)"
        )
    with postgres.throwaway_cluster(bindir) as cluster:
        yield cluster


@pytest.fixture(scope="session", params=DATABASES)
def database_kind(request) -> str:
    """The database under test, "sqlite" or "postgresql": every test that depends on it runs once per database."""
    return request.param


@pytest.fixture(scope="session")
def new_database(database_kind, request, tmp_path_factory):
    """`new_database(name)`: the URL of a new, empty database of the current kind."""
    if database_kind == "sqlite":
        return lambda name: f"sqlite:///{tmp_path_factory.mktemp(name) / f'{name}.db'}"
    cluster = request.getfixturevalue("postgres_cluster")
    return lambda name: cluster.create_database(f"{name}_{uuid.uuid4().hex[:8]}")


@pytest.fixture
def clock():
    """A clock standing still until the test moves it (tests/support/clock.py)."""
    from tests.support.clock import Clock

    return Clock()


@pytest.fixture(scope="session")
def whisper_model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A micro random-weight Whisper model, built once per session (0.3 s, 6 MB) instead of downloaded."""
    from tests.support import whisper_model

    return whisper_model.build(tmp_path_factory.mktemp("whisper") / "nb-whisper-micro")
