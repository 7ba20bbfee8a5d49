"""Fetching model files safely, shared by the Vosk and the Whisper downloads.

A model is hundreds of megabytes fetched over the internet and then loaded by C++ code that trusts
its files, so every file is checked against the catalogue before it is used, and a model only
appears under its final name once it is complete: a broken or half-finished download can never be
mistaken for an installed model.
"""

from __future__ import annotations

import hashlib
import http.client
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO, Callable, Optional

Progress = Callable[[int, Optional[int]], None]  # (bytes received, bytes expected when known)

CHUNK_BYTES = 1 << 20  # read size while streaming: small enough for steady progress, large enough to be cheap
NETWORK_TIMEOUT_S = 60  # a stalled connection fails instead of hanging the command forever


class DownloadFailed(RuntimeError):
    """Raised with a message a person can act on; nothing of the failed download is left on disk."""


def fetch_into(
    url: str, file: BinaryIO, digest: "hashlib._Hash", expected: Optional[int], name: str, progress: Progress
) -> int:
    """Streams `url` into `file` and `digest`; returns the bytes received. Shared by every model download.

    `expected` (bytes, when the catalogue knows) refuses a wrong file before it is fetched.
    """
    received = 0
    try:
        with urllib.request.urlopen(url, timeout=NETWORK_TIMEOUT_S) as response:
            length = response.headers.get("Content-Length")
            _refuse_wrong_length(url, name, expected, length)
            total = expected or (int(length) if length is not None else None)
            while chunk := response.read(CHUNK_BYTES):
                file.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                progress(received, total)
    except urllib.error.HTTPError as error:
        raise DownloadFailed(f"{url} answered HTTP {error.code} {error.reason}") from error
    except urllib.error.URLError as error:
        raise DownloadFailed(
            f"cannot download {url}: {error.reason}. Check the network, or fetch the files another way "
            f"and install them with: kundesenter models download LANG --url file:///path/to/{name}"
        ) from error
    except (http.client.HTTPException, OSError) as error:
        raise DownloadFailed(
            f"the download of {url} broke off after {received} of {expected or 'the announced'} bytes: {error!r}"
        ) from error
    return received


def _refuse_wrong_length(url: str, name: str, expected: Optional[int], length: Optional[str]) -> None:
    """Saves fetching hundreds of megabytes when the server already says it is the wrong file."""
    if expected is not None and length is not None and int(length) != expected:
        raise DownloadFailed(
            f"{url} offers {int(length)} bytes but the catalogue expects {expected} for {name}: "
            "refusing it (a different or changed file)"
        )


def replace_atomically(model: Path, target: Path) -> None:
    """An incomplete model already at the target is moved aside first, so the rename itself stays atomic."""
    if not target.exists():
        model.rename(target)
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-old-"))
    target.rename(old / target.name)
    model.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def print_progress(received: int, expected: Optional[int]) -> None:
    """One line on stderr, rewritten in place; the share only when the size is known."""
    if not expected:
        print(f"\r  {received / 1e6:7.1f} MB", end="", file=sys.stderr, flush=True)
        return
    end = "\n" if received >= expected else ""
    print(
        f"\r  {received / 1e6:7.1f} of {expected / 1e6:.1f} MB ({received / expected:4.0%})",
        end=end,
        file=sys.stderr,
        flush=True,
    )
