"""Log records are redacted however the process set up its logging.

Each case runs in its own Python process, configured the way one of our servers
configures itself, because the redaction is process-wide (bot/privacy/logs.py)
and must not leak into the test session.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from bot import project, secrets, services
from tests.privacy.personal_data import synthetic_fodselsnummer

FNR = synthetic_fodselsnummer(15, 8, 1985)
EMAIL = "kari.nordmann@example.no"
PHONE = "+47 912 34 567"

LOG_LINES = f"""
log = logging.getLogger("rasa.core.processor")
log.warning("user said %s", "fødselsnummer {FNR}")
log.warning("contact: {EMAIL}")
logging.getLogger("sanic.access").warning("%(who)s", {{"who": "{PHONE}"}})
try:
    raise ValueError("no customer with e-mail {EMAIL}")
except ValueError:
    log.exception("lookup failed")
"""

SETUPS = {
    # rasa/__main__.py with the arguments bot/services.py gives `rasa run`: the --logging-config-file
    # first, then coloredlogs replaces the root handler.
    "rasa run": """
        from rasa.__main__ import create_argument_parser
        from rasa.utils.common import configure_logging_and_warnings
        from rasa.utils.io import configure_colored_logging
        args = create_argument_parser().parse_args(ARGUMENTS["rasa"][3:])
        configure_logging_and_warnings(logging.DEBUG, args.logging_config_file)
        configure_colored_logging("DEBUG")
    """,
    # bot/action_server.py (as rasa_sdk/__main__.py) with bot/services.py's arguments: coloredlogs, then the config file.
    "python -m bot.action_server": """
        from rasa_sdk import utils
        from bot.action_server import parser
        args = parser().parse_args(ARGUMENTS["actions"][3:])
        utils.configure_colored_logging(logging.DEBUG)
        utils.configure_file_logging(logging.getLogger("rasa_sdk"), None, logging.DEBUG, args.logging_config_file)
    """,
    # bot/desk/__main__.py and bot/cli.py (the desk, the phone gateway, every command).
    "our own processes": """
        logging.basicConfig(level=logging.DEBUG)
        install()
    """,
}


def server_arguments() -> Dict[str, List[str]]:
    """The command lines bot/services.py starts the servers with."""
    running = services.Services(services.Ports(), Path("tracker.db"), "sqlite://", "sqlite://")
    running.env = {secrets.variable(secrets.RASA_TOKEN): "a-token"}
    return services.commands(running, Path("model.tar.gz"))


@pytest.mark.parametrize("setup", SETUPS)
def test_no_personal_data_reaches_the_log_output(setup):
    script = f"import logging\nfrom bot.privacy.logs import install\nARGUMENTS = {server_arguments()!r}\n"
    script += textwrap.dedent(SETUPS[setup]) + LOG_LINES
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=project.ROOT, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(project.ROOT), "PATH": "/usr/bin:/bin", "HOME": str(project.ROOT / "var")},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for raw in (FNR, EMAIL, PHONE):
        assert raw not in output
    assert "fødselsnummer [fødselsnummer]" in output
    assert "contact: [e-post]" in output
    assert "[telefon]" in output
    assert "ValueError: no customer with e-mail [e-post]" in output  # the traceback too
