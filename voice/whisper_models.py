"""Whisper-family models (NB-Whisper, KB-Whisper): what a usable directory holds, and a verified download.

The publishers ship each model as several files in a Hugging Face repository, not as one archive,
and NbAiLab keeps the tokenizer and the preprocessor configuration only at the repository root,
apart from its CTranslate2 files. The download gathers them into one directory (faster-whisper
would otherwise fetch missing ones at run time, on a phone line), checks each against the
catalogue's sha256, and renames the directory into place only when every file has arrived. A file
whose publisher checksum is not in the catalogue is installed only when the user says so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Dict, Optional

from bot import project
from voice.downloads import DownloadFailed, Progress, fetch_into, print_progress, replace_atomically
from voice.settings import VoiceSettings, WhisperCatalogModel, model_variable

logger = logging.getLogger(__name__)

ENGINE = "whisper"
DEFAULT_DIRECTORY = project.MODELS / "whisper"
DEFAULT_SIZE = "base"  # fast enough for 8 calls on 2 cores (bench/whisper.py); KB base: 9.1 % WER on FLEURS sv
# Without the tokenizer faster-whisper fetches OpenAI's from the internet at load time; without the
# preprocessor configuration it guesses the mel front end. All must sit beside model.bin.
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json", "preprocessor_config.json")


def model_problem(directory: Path) -> Optional[str]:
    """What keeps `directory` from being a CTranslate2 Whisper model faster-whisper can load offline, or None."""
    if not directory.is_dir():
        return f"missing: {directory} does not exist"
    absent = [name for name in MODEL_FILES if not (directory / name).is_file()]
    return f"not a Whisper model: {directory} has no {', '.join(absent)}" if absent else None


def configured_size(language: str, settings: VoiceSettings) -> str:
    """The size whose directory the configuration names (nb-whisper-small -> small), else the default."""
    entry, configured = settings.whisper_catalog.get(language), settings.models_of(ENGINE).get(language)
    if entry is None or configured is None:
        return DEFAULT_SIZE
    return next((size for size in entry.sizes if entry.name(size) == configured.name), DEFAULT_SIZE)


def download(
    language: str,
    settings: VoiceSettings,
    size: Optional[str] = None,
    directory: Optional[Path] = None,
    url: Optional[str] = None,
    allow_unverified: bool = False,
    progress: Optional[Progress] = None,
) -> Path:
    """Fetch, verify and install the publisher's model of `size` for `language`; returns the model directory.

    `size` defaults to the configured one. `url` replaces `<repository>/resolve/<revision>` (a mirror,
    or file:// on an offline machine); the checksums are still the catalogue's, so a mirror cannot
    substitute other files.
    """
    entry = _catalogued(language, settings)
    size = size or configured_size(language, settings)
    sums = _checksums(entry, language, size, allow_unverified)
    name = entry.name(size)
    configured = settings.models_of(ENGINE).get(language)
    directory = directory if directory is not None else (configured.parent if configured else DEFAULT_DIRECTORY)
    target = directory / name
    if model_problem(target) is None:
        logger.info("%s is already installed and looks complete: nothing to download", target)
        return target
    directory.mkdir(parents=True, exist_ok=True)
    base = (url or entry.files_url(size)).rstrip("/")
    staging = Path(tempfile.mkdtemp(dir=directory, prefix=f".{name}-download-"))
    try:
        for source, installed in entry.files.items():
            _fetch(f"{base}/{source}", staging / installed, sums.get(installed), progress or print_progress)
        problem = model_problem(staging)
        if problem is not None:
            raise DownloadFailed(f"the files passed their checks but make no model ({problem}); nothing was installed")
        replace_atomically(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _say_where_the_configuration_looks(language, settings, target)
    return target


def _catalogued(language: str, settings: VoiceSettings) -> WhisperCatalogModel:
    entry = settings.whisper_catalog.get(language)
    if entry is None:
        offered = ", ".join(sorted(settings.whisper_catalog)) or "none"
        raise DownloadFailed(
            f"the Whisper catalogue in voice/config.yml has nothing for {language!r} (it has: {offered}). "
            f"Any CTranslate2 Whisper directory can be configured by hand: {model_variable(ENGINE, language)}"
        )
    return entry


def _checksums(entry: WhisperCatalogModel, language: str, size: str, allow_unverified: bool) -> Dict[str, str]:
    """The catalogue's sha256 per file; refuses before fetching anything when some are unknown and not allowed."""
    if size not in entry.sizes:
        raise DownloadFailed(f"no {size!r} model for {language!r}; the catalogue offers: {', '.join(entry.sizes)}")
    sums = entry.sha256[size] or {}
    unknown = [installed for installed in entry.files.values() if installed not in sums]
    if unknown and not allow_unverified:
        raise DownloadFailed(
            f"the catalogue has no sha256 for {entry.name(size)}'s {', '.join(unknown)}, so a changed or substituted "
            f"file could not be told apart. Add the publisher's sums to whisper_catalog.{language}.sha256.{size} in "
            "voice/config.yml, or pass --allow-unverified to install the files unchecked"
        )
    for installed in unknown:
        logger.warning("%s of %s is installed without a checksum (--allow-unverified)", installed, entry.name(size))
    return sums


def _fetch(url: str, path: Path, sha256: Optional[str], progress: Progress) -> None:
    logger.info("%s", url)
    digest = hashlib.sha256()
    with open(path, "wb") as file:
        fetch_into(url, file, digest, None, path.name, progress)
    if sha256 is not None and digest.hexdigest() != sha256.lower():
        raise DownloadFailed(
            f"{url} is corrupt or not the catalogued file: sha256 {digest.hexdigest()}, the catalogue expects "
            f"{sha256}. Nothing was installed"
        )


def _say_where_the_configuration_looks(language: str, settings: VoiceSettings, target: Path) -> None:
    """A model of another size, or for a language still on Vosk, is not used until the configuration names it."""
    configured = settings.models.get(language)
    if settings.engines.get(language) != ENGINE:
        logger.info(
            "%s is served by %s: set asr.languages.%s to {engine: whisper, model: %s} in voice/config.yml",
            language, settings.engines.get(language), language, os.path.relpath(target, project.ROOT),
        )  # fmt: skip
    elif configured != target:
        logger.info("The configuration looks for %s: set %s=%s", configured, model_variable(ENGINE, language), target)
