"""The team's shared test material (`../shared/` beside the project), or the repository's copy of what tests need.

CI may check the project out alone; the copies keep the voice and phone tests running there.
"""

from __future__ import annotations

from pathlib import Path

from bot import project

SHARED = project.ROOT.parent / "shared"
COPIES = {
    "audio": Path(__file__).parents[1] / "voice" / "audio",  # four of the eleven Common Voice clips
    "telephony": Path(__file__).with_name("shared"),  # the reference kamailio and baresip configs
}


def shared(folder: str) -> Path:
    """`../shared/<folder>` when it is there, else the repository's copy."""
    beside = SHARED / folder
    return beside if beside.is_dir() else COPIES[folder]
