"""`kundesenter agents add|disable|enable|reset-password`: desk users from the terminal or a deployment script."""

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


def change_user_parser(action: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"kundesenter agents {action}", description=description)
    parser.add_argument("username")
    parser.add_argument("--database-url", help="default: $DESK_DATABASE_URL, else the SQLite file var/desk.db")
    return parser


def set_disabled_command(argv: Optional[List[str]], disabled: bool) -> int:
    """`agents disable` / `agents enable`: a disabled user cannot log in, their sessions end, nothing is routed to them."""
    action = "disable" if disabled else "enable"
    description = f"{action.capitalize()} a desk user; disabling ends their sessions at once."
    args = change_user_parser(action, description).parse_args(argv)
    accounts = Accounts(args.database_url)
    try:
        accounts.set_disabled(args.username, disabled)
    except AccountError as error:
        print(f"not {action}d: {error}", file=sys.stderr)
        return 1
    queue = HandoffStore(args.database_url)
    try:
        queue.set_active(queue.agent_named(accounts.user(args.username).username).id, not disabled)
    except HandoffError:  # a supervisor without skills on record: nothing is routed to them anyway
        pass
    print(f"{action}d {args.username}")
    return 0


def reset_password_command(argv: Optional[List[str]] = None) -> int:
    """`agents reset-password`: a new password (typed twice, or $DESK_PASSWORD); the user's sessions end."""
    args = change_user_parser(
        "reset-password",
        f"Give a desk user a new password, asked for twice or read from ${PASSWORD_VARIABLE}; their sessions end.",
    ).parse_args(argv)
    password = os.environ.get(PASSWORD_VARIABLE) or _ask_password()
    if password is None:
        print("the two passwords differ: nothing was changed", file=sys.stderr)
        return 1
    try:
        Accounts(args.database_url).set_password(args.username, password)
    except (AccountError, PasswordTooShort) as error:
        print(f"not changed: {error}", file=sys.stderr)
        return 1
    print(f"new password for {args.username}; their sessions have ended")
    return 0


COMMANDS = {
    "add": add_user_command,
    "disable": lambda argv: set_disabled_command(argv, disabled=True),
    "enable": lambda argv: set_disabled_command(argv, disabled=False),
    "reset-password": reset_password_command,
}


def _ask_password() -> Optional[str]:
    """The password typed twice, or None when the two differ."""
    password = getpass.getpass("Password: ")
    return password if getpass.getpass("Password again: ") == password else None


def _listed(value: str) -> List[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
