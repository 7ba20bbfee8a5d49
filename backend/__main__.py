"""`python -m backend`: run the reference carrier back-end (`kundesenter backend` calls `main`)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import List, Optional

from aiohttp import web
from sqlalchemy.engine import make_url

from backend.app import create_app
from bot import project
from bot.privacy import logs as privacy_logs

DEFAULT_SEED = Path(__file__).with_name("demo_data.yml")
# One line per request: client, request line, status, size, duration.
ACCESS_LOG_FORMAT = '%a "%r" %s %b %Tfs'


def parser() -> argparse.ArgumentParser:
    arguments = argparse.ArgumentParser(prog="python -m backend", description="The reference carrier back-end.")
    arguments.add_argument("--host", default="127.0.0.1")
    arguments.add_argument("--port", type=int, default=8077)
    arguments.add_argument(
        "--database-url",
        default=os.environ.get("BACKEND_DATABASE_URL") or f"sqlite:///{project.VAR / 'backend.db'}",
        help="SQLAlchemy URL, e.g. postgresql://user:password@host/db (default: $BACKEND_DATABASE_URL, else var/)",
    )
    arguments.add_argument("--seed", type=Path, default=DEFAULT_SEED, help="demo data, rewritten on every start")
    return arguments


def main(argv: Optional[List[str]] = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    privacy_logs.install()  # request lines carry tracking numbers, and whatever a caller put in them
    logger = logging.getLogger("backend")
    logger.info(
        "Reference back-end on http://%s:%d (database %s)", args.host, args.port, _without_password(args.database_url)
    )
    web.run_app(
        create_app(args.database_url, args.seed),
        host=args.host,
        port=args.port,
        access_log_format=ACCESS_LOG_FORMAT,
        print=None,
    )
    return 0


def _without_password(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
