"""Real SIP peers for the phone-line tests: a kamailio per test and baresip phones registered at it."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Callable, Iterator, List

import pytest

from tests.support import sip_peers
from tests.support.speech import espeak_speech
from voice import settings as voice_settings
from voice.settings import SipSettings

PhoneFactory = Callable[[str], sip_peers.Phone]
LOG_TAIL_CHARS = 6000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test, so fixtures can tell at teardown whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def show_logs_if_failed(request: pytest.FixtureRequest, peers: List[sip_peers.Peer]) -> None:
    """The peers' logs (SIP requests seen by kamailio, baresip's call progress) under a failed test's report."""
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        for peer in peers:
            print(f"--- {peer.name} ({peer.log_path}) ---\n{peer.log()[-LOG_TAIL_CHARS:]}")


@pytest.fixture(scope="session")
def sip_programs() -> None:
    reason = sip_peers.missing_programs()
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def caller_speech(tmp_path_factory) -> bytes:
    """What every phone says when its call starts: real (espeak-ng) Norwegian speech at the pipeline's rate."""
    rate = voice_settings.default().sample_rate
    return espeak_speech("Hei, jeg lurer på hvor pakken min er.", "nb", tmp_path_factory.mktemp("speech"), rate, 0.5)


@pytest.fixture
def kamailio(sip_programs, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sip_peers.Kamailio]:
    with sip_peers.kamailio(tmp_path / "kamailio") as proxy:
        yield proxy
        show_logs_if_failed(request, [proxy.peer])


@pytest.fixture
def phones(kamailio, caller_speech, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PhoneFactory]:
    """`phones(user)` starts a baresip registered as `user`; all are stopped when the test ends."""
    rate = voice_settings.default().sample_rate
    started: List[sip_peers.Phone] = []
    with contextlib.ExitStack() as running:

        def start(user: str) -> sip_peers.Phone:
            phone = running.enter_context(sip_peers.phone(tmp_path / user, user, kamailio, caller_speech, rate))
            started.append(phone)
            return phone

        yield start
        show_logs_if_failed(request, [phone.peer for phone in started])


@pytest.fixture
def sip_settings(kamailio) -> SipSettings:
    """The shipped settings, on free loopback ports and registered at this test's kamailio."""
    return dataclasses.replace(
        voice_settings.load_sip(),
        listen_host=sip_peers.HOST,
        listen_port=sip_peers.free_port(),
        registrar=kamailio.registrar,
        username="bot",
        password=None,
        rtp_port_start=sip_peers.free_even_port(),
        transfer_timeout_s=10,
    )
