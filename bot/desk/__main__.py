"""`python -m bot.desk` / `kundesenter desk`: run the desk service (web chat page, agent desk, supervisor view)."""

from __future__ import annotations

import argparse
import logging
from typing import List, Optional

from aiohttp import web

from bot.desk.access_log import PathOnlyAccessLogger
from bot.desk.app import create_app
from bot.privacy import logs as privacy_logs


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="kundesenter desk", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    privacy_logs.install()
    web.run_app(
        create_app(), host=args.host, port=args.port, print=None, access_log_class=PathOnlyAccessLogger
    )


if __name__ == "__main__":
    main()
