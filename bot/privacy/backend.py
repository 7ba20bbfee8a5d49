"""The carrier back-end's share of forgetting a customer: its orders and stored answers for one conversation.

The back-end erases on `DELETE /v1/conversations/{id}` with its admin token
(bot/secrets.py); its URL is the one the actions use (carrier.yml, $BACKEND_URL).
A failure is raised, never swallowed: the caller must not report the customer
as forgotten while the back-end still holds their name and addresses.
"""

from __future__ import annotations

from typing import Dict
from urllib.parse import quote

import requests

from bot import secrets

TIMEOUT_SECONDS = 30


class BackendErasureFailed(Exception):
    """The back-end did not confirm the erasure; what it holds is unchanged or unknown."""


class BackendErasure:
    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token

    @classmethod
    def configured(cls) -> "BackendErasure":
        from actions.carrier import settings as carrier_settings

        return cls(carrier_settings.load()["backend"]["url"], secrets.secret(secrets.BACKEND_ADMIN_TOKEN))

    def forget(self, sender_id: str) -> Dict[str, int]:
        """Per store of the back-end, how many records were anonymised or deleted."""
        try:
            answer = requests.delete(
                f"{self.url}/v1/conversations/{quote(sender_id, safe='')}",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as problem:
            failure = f"the back-end at {self.url} did not answer ({type(problem).__name__})"
            raise BackendErasureFailed(failure) from None
        if answer.status_code != 200:
            raise BackendErasureFailed(f"the back-end at {self.url} answered HTTP {answer.status_code}")
        return {f"backend_{store}": count for store, count in answer.json()["erased"].items()}
