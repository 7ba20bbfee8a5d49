"""`python -m bot.hotpath <rasa arguments>`: Rasa's own command line with bot.hotpath's fixes installed first."""

from __future__ import annotations

from rasa.__main__ import main

from bot.hotpath import install

if __name__ == "__main__":
    install()
    main()
