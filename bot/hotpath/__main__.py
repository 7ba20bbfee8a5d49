"""`python -m bot.hotpath <rasa arguments>`: Rasa's own command line with bot.hotpath's fixes installed first,
and bot.actions_down's message for turns whose action server failed (every topology starts Rasa this way).

With `--enable-api` the API token comes from the environment or the secrets directory
(bot/secrets.py) and is added to this process's own copy of the arguments: on the command
line that started the process, any local user would read it in /proc/<pid>/cmdline.
"""

from __future__ import annotations

import sys
from typing import List

from rasa.__main__ import main

from bot import actions_down, secrets
from bot.hotpath import install


def with_api_token(argv: List[str]) -> List[str]:
    """`argv` plus `--auth-token <KUNDESENTER_RASA_TOKEN>` when it enables Rasa's HTTP API."""
    if "--enable-api" not in argv:
        return argv
    return [*argv, "--auth-token", secrets.secret(secrets.RASA_TOKEN)]


if __name__ == "__main__":
    install()
    actions_down.install()
    sys.argv = with_api_token(sys.argv)
    main()
