"""`kundesenter agents add`: create a desk user from the terminal or a deployment script."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import List, Optional

from bot.desk.accounts import AccountError, Accounts
from bot.desk.passwords import PasswordTooShort
from bot.desk.tables import ROLES
from bot.handoff import settings as handoff_settings
from bot.handoff.records import HandoffError
from bot.handoff.store import HandoffStore

PASSWORD_VARIABLE = "DESK_PASSWORD"  # for scripts, which have no terminal to type into


def add_user_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kundesenter agents add",
        description=f"Add a user to the agent desk. The password is asked for twice, or read from ${PASSWORD_VARIABLE}.",
    )
    parser.add_argument("--username", required=True)
    parser.add_argument("--first-name", required=True, help="the only name customers see")
    parser.add_argument("--role", choices=ROLES, default="agent", help="the first user must be a supervisor")
    skills = handoff_settings.load()
    parser.add_argument("--languages", default=",".join(skills.languages), help="comma-separated skills (default: all)")
    parser.add_argument("--topics", default=",".join(skills.topics), help="comma-separated skills (default: all)")
    parser.add_argument("--database-url", help="default: $DESK_DATABASE_URL, else the SQLite file var/desk.db")
    return parser


def add_user_command(argv: Optional[List[str]] = None) -> int:
    """Exit status 0 when the user was added; otherwise 1 with the reason on stderr."""
    args = add_user_parser().parse_args(argv)
    password = os.environ.get(PASSWORD_VARIABLE) or _ask_password()
    if password is None:
        print("the two passwords differ: nothing was added", file=sys.stderr)
        return 1
    try:
        queue = HandoffStore(args.database_url)
        languages = [queue.settings.check("languages", language) for language in _listed(args.languages)]
        topics = [queue.settings.check("topics", topic) for topic in _listed(args.topics)]
        user = Accounts(args.database_url).create_user(args.username, args.first_name, args.role, password)
        queue.add_agent(user.username, user.first_name, languages, topics)
    except (AccountError, PasswordTooShort, HandoffError, ValueError) as error:
        print(f"not added: {error}", file=sys.stderr)
        return 1
    print(f"added {user.role} {user.username} ({user.first_name})")
    return 0


def _ask_password() -> Optional[str]:
    """The password typed twice, or None when the two differ."""
    password = getpass.getpass("Password: ")
    return password if getpass.getpass("Password again: ") == password else None


def _listed(value: str) -> List[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
