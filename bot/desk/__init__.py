"""The agent desk's security core: passwords, users, sessions, the log-in rate limit and the aiohttp middleware."""

from bot.desk.accounts import AccountError, Accounts, LoginRefused, Session, User
from bot.desk.passwords import PasswordPolicy, PasswordTooShort

__all__ = ["AccountError", "Accounts", "LoginRefused", "PasswordPolicy", "PasswordTooShort", "Session", "User"]
