"""Personal data never reaches a log: every record of the process is redacted when it is made.

A `logging.Filter` on handlers is not enough here: Rasa and the Rasa SDK install
coloredlogs, which replaces the root handler (and its filters) after our
configuration has run. So `install()` wraps the process's log-record factory
instead, which every logger, handler and library goes through, and the filter
does the redacting there. Rasa and the action server get it from logging.yml
(`--logging-config-file`); our own processes call `install()` at start.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from bot.privacy.redact import redact

CONFIG_FILE = Path(__file__).with_name("logging.yml")


class RedactingFilter(logging.Filter):
    """Replaces a record's message, arguments and exception text by their redacted rendering."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the format: keep both, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install() -> RedactingFilter:
    """Redact every log record this process makes from now on; calling it again changes nothing."""
    current = logging.getLogRecordFactory()
    existing = getattr(current, "redacting_filter", None)
    if existing is not None:
        return existing
    redacting = RedactingFilter()

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redacting.filter(record)
        return record

    make_record.redacting_filter = redacting  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make_record)
    return redacting
