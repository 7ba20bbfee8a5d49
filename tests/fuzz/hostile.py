"""The hostile inputs every channel is fed, in one table, and what a refusal must look like."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Tuple

import requests

SENDER = "fuzz-{}"  # every case talks as its own conversation, so no rate-limit state is shared

# Text that is strange but a customer may well write: it must be taken as it is, not refused.
WEIRD_BUT_VALID: Dict[str, str] = {
    "emoji": "hei 📦👍 hvor er pakka?",
    "family emoji with zero-width joiners": "👨‍👩‍👧 venter på pakke",
    "html and script": "<script>alert('x')</script><b>hei</b>",
    "sql-like": "'; DROP TABLE events; --",
    "right-to-left text": "مرحبا hei",
    "tabs and line breaks": "Storgata 1\n0155 Oslo\tleilighet 2",
    "the longest allowed": ("hvor er pakken min " * 211)[:4000],
}

# Message texts every channel refuses: (text, error code).
BAD_TEXTS: Dict[str, Tuple[Any, str]] = {
    "empty": ("", "empty_message"),
    "only whitespace": ("  \n\t ", "empty_message"),
    "4001 characters": ("x" * 4001, "message_too_long"),
    "NUL": ("hei\x00du", "invalid_message"),
    "escape character": ("hei \x1b[31m", "invalid_message"),
    "DEL": ("hei\x7f", "invalid_message"),
    "lone surrogate": ("hei \ud800", "invalid_message"),
    "number": (42, "invalid_message"),
    "list": (["hei"], "invalid_message"),
    "object": ({"text": "hei"}, "invalid_message"),
    "null": (None, "invalid_message"),
}


def deep(levels: int) -> Any:
    value: Any = "bunn"
    for _ in range(levels):
        value = {"a": value}
    return value


# Numbers Python's json module reads but JSON has not: in a stored tracker they make it unreadable.
NOT_FINITE = {"NaN": "NaN", "Infinity": "-Infinity", "1e999999": "1e999999"}


def with_number(number: str, sender: str) -> bytes:
    """A REST/voice body whose metadata holds `number` as written (json.dumps would not write 1e999999)."""
    body = {"sender": sender, "message": "hei", "metadata": {"language": "nb", "amount": "NUMBER"}}
    return json.dumps(body).encode().replace(b'"NUMBER"', number.encode())


def strict_json(text: str) -> Any:
    """`text` parsed as JSON is defined: NaN and the infinities raise ValueError."""

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def turn(case: str, message: Any = "hei", **fields: Any) -> bytes:
    """A REST/voice body; `fields` add or replace keys (a value of ... leaves the key out)."""
    body = {"sender": SENDER.format(case.replace(" ", "-")), "message": message, **fields}
    return json.dumps({key: value for key, value in body.items() if value is not ...}).encode()


# Whole bodies every JSON channel refuses: (body, content type, status, error code).
BAD_BODIES: Dict[str, Tuple[bytes, str, int, str]] = {
    "empty body": (b"", "application/json", 400, "invalid_body"),
    "not JSON": (b"hei, hvor er pakka?", "application/json", 400, "invalid_body"),
    "invalid UTF-8": (b'{"sender": "fuzz-utf8", "message": "hei \xff\xfe"}', "application/json", 400, "invalid_body"),
    "JSON array": (b'["hei"]', "application/json", 400, "invalid_body"),
    "JSON string": (b'"hei"', "application/json", 400, "invalid_body"),
    "JSON null": (b"null", "application/json", 400, "invalid_body"),
    "deeply nested JSON": (b"[" * 30000 + b"]" * 30000, "application/json", 400, "invalid_body"),
    "1 MB message": (turn("1mb", "a" * 1_000_000), "application/json", 413, "body_too_large"),
    "multipart form": (b"--x\r\n\r\nhei\r\n--x--", "multipart/form-data; boundary=x", 415, "unsupported_media_type"),
    "XML": (b"<message>hei</message>", "application/xml", 415, "unsupported_media_type"),
    "no sender": (turn("none", sender=...), "application/json", 422, "invalid_sender"),
    "sender a number": (turn("n", sender=7), "application/json", 422, "invalid_sender"),
    "sender an object": (turn("o", sender={"id": 1}), "application/json", 422, "invalid_sender"),
    "sender empty": (turn("e", sender=""), "application/json", 422, "invalid_sender"),
    "sender 201 characters": (turn("l", sender="s" * 201), "application/json", 422, "invalid_sender"),
    "sender with NUL": (turn("nul", sender="fuzz\x00x"), "application/json", 422, "invalid_sender"),
    "sender with right-to-left override": (
        turn("rtl", sender="fuzz\u202ex"),
        "application/json",
        422,
        "invalid_sender",
    ),
    "metadata a list": (turn("ml", metadata=["sv"]), "application/json", 422, "invalid_metadata"),
    "metadata a string": (turn("ms", metadata="sv"), "application/json", 422, "invalid_metadata"),
    "metadata nested 20 deep": (turn("md", metadata=deep(20)), "application/json", 422, "invalid_metadata"),
    **{
        f"metadata holding {name}": (
            with_number(number, SENDER.format(f"nf-{name}")),
            "application/json",
            400,
            "invalid_body",
        )
        for name, number in NOT_FINITE.items()
    },
    **{
        f"message {name}": (
            turn(f"m-{name}", text),
            "application/json",
            413 if code == "message_too_long" else 422,
            code,
        )
        for name, (text, code) in BAD_TEXTS.items()
    },
}


def assert_refusal(response: requests.Response, status: int, code: str) -> None:
    """A clear refusal: the status, a JSON body with the code and a message, and nothing of our insides."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"] == code and body["message"], body
    assert "Traceback" not in response.text and 'File "' not in response.text


def user_texts(tracker: Dict[str, Any]) -> List[str]:
    return [event.get("text") for event in tracker.get("events") or [] if event["event"] == "user"]
