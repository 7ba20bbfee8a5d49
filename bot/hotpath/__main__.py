"""`python -m bot.hotpath <rasa arguments>`: Rasa's own command line with bot.hotpath's fixes installed first,
and bot.actions_down's message for turns whose action server failed (every topology starts Rasa this way)."""

from __future__ import annotations

from rasa.__main__ import main

from bot import actions_down
from bot.hotpath import install

if __name__ == "__main__":
    install()
    actions_down.install()
    main()
