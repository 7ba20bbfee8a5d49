"""`kundesenter privacy purge|forget`: retention and erasure from the terminal, on the desk's configured databases."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from bot.privacy import settings as privacy_settings

if TYPE_CHECKING:  # the stores are imported only when a privacy command runs
    from bot.privacy.erase import Eraser

logger = logging.getLogger(__name__)


def _eraser(args: argparse.Namespace) -> "Eraser":
    """The databases the desk uses (DESK_DATABASE_URL, TRACKER_DATABASE_URL / TRACKER_DB, else var/),
    and the carrier back-end the actions use (carrier.yml, $BACKEND_URL)."""
    from bot.desk.app import DeskConfig
    from bot.privacy.backend import BackendErasure
    from bot.privacy.erase import Eraser
    from bot.sql import connect

    config = DeskConfig.from_environment()
    calls_dir = Path(args.calls_dir) if args.calls_dir else None
    return Eraser(
        connect(config.tracker_database_url), connect(config.database_url), calls_dir, BackendErasure.configured()
    )


def _purge(args: argparse.Namespace) -> int:
    days = args.older_than if args.older_than is not None else privacy_settings.load().retention.days
    before = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    erased = _eraser(args).purge(before, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    logger.info(
        "retention purge, older than %s days (%s): %s %s", days, before.isoformat(timespec="seconds"), verb, erased
    )
    return 0


def _forget(args: argparse.Namespace) -> int:
    """Exit status 1 when a store could not be erased: the customer is then not forgotten yet."""
    erased = _eraser(args).forget(args.sender_id)
    if erased.failed:
        logger.error("erased only part of what is stored about the sender: %s", erased)
        return 1
    logger.info("erased everything stored about the sender: %s", erased)
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    privacy = commands.add_parser("privacy", help="personal data: purge past the retention period, forget a sender")
    privacy.add_argument("--calls-dir", help="the phone gateway's call logs (default from voice/config.yml)")
    actions = privacy.add_subparsers(dest="action", required=True)
    purge = actions.add_parser("purge", help="delete what is older than the retention period (privacy.yml)")
    purge.add_argument("--older-than", type=float, metavar="DAYS", help="instead of privacy.yml's retention_days")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    purge.set_defaults(handler=_purge)
    forget = actions.add_parser("forget", help="delete everything stored about one conversation id")
    forget.add_argument("sender_id")
    forget.set_defaults(handler=_forget)
