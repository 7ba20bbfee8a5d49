"""The speech models the voice layer needs: what each language's engine has installed, and a safe Vosk download.

Whisper-family downloads (several files per model, checked by sha256) are in `voice.whisper_models`;
they share the streaming and the atomic install below.

A model is a few hundred megabytes fetched over the internet and then loaded by a C++ library
that trusts its files, so a download is checked against the catalogue's size and md5 before
anything is unpacked, and it only appears under its final name once it is complete: a broken
or half-finished download can never be mistaken for an installed model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bot import project
from voice import downloads, whisper_models
from voice.downloads import DownloadFailed, Progress
from voice.settings import CatalogModel, VoiceSettings, model_variable

logger = logging.getLogger(__name__)

DEFAULT_DIRECTORY = project.MODELS / "vosk"  # where models go when none is configured for the language
VOSK, WHISPER = "vosk", whisper_models.ENGINE  # engine names in voice/config.yml


@dataclass(frozen=True)
class Layout:
    """Where Vosk looks for the acoustic model, the feature settings and the decoding graph (vosk-api src/model.cc).

    The graph is either a full HCLG.fst or the lookahead pair HCLr.fst + Gr.fst (the small models).
    """

    model: str
    features: str
    graph: str
    lookahead: Tuple[str, str]

    def missing(self, directory: Path) -> List[str]:
        absent = [name for name in (self.model, self.features) if not (directory / name).is_file()]
        if (directory / self.graph).is_file() or all((directory / name).is_file() for name in self.lookahead):
            return absent
        return absent + [f"{self.graph} (or {' + '.join(self.lookahead)})"]


LAYOUTS = (  # today's layout with sub-directories, and the older flat one
    Layout("am/final.mdl", "conf/mfcc.conf", "graph/HCLG.fst", ("graph/HCLr.fst", "graph/Gr.fst")),
    Layout("final.mdl", "mfcc.conf", "HCLG.fst", ("HCLr.fst", "Gr.fst")),
)


@dataclass(frozen=True)
class ModelStatus:
    language: str
    engine: str  # the recogniser engine the configuration names for the language
    path: Optional[Path]  # None when no model is configured for the language
    problem: Optional[str]  # None when the directory looks like a usable model for the engine

    @property
    def configured(self) -> bool:
        return self.path is not None

    @property
    def ok(self) -> bool:
        return self.configured and self.problem is None

    def describe(self) -> str:
        if not self.configured:
            return "not configured (the keypad is used instead of speech)"
        return "OK" if self.ok else str(self.problem)


@dataclass(frozen=True)
class ModelListing:
    language: str
    catalogued: str  # what `kundesenter models download LANG` offers for the language's engine, or "-"
    size_mb: str
    status: ModelStatus


def model_problem(directory: Path) -> Optional[str]:
    """What keeps `directory` from being a Vosk model, or None: a quick look at the files Vosk opens first."""
    if not directory.is_dir():
        return f"missing: {directory} does not exist"
    best = min((layout.missing(directory) for layout in LAYOUTS), key=len)
    if not best:
        return None
    return f"not a Vosk model: {directory} has no {', '.join(best)}"


def check(settings: VoiceSettings) -> Dict[str, ModelStatus]:
    """Each configured language's engine and whether its model directory is usable."""
    return {language: _status(language, path, settings) for language, path in settings.models.items()}


def _status(language: str, path: Optional[Path], settings: VoiceSettings) -> ModelStatus:
    engine = settings.engines[language]
    if path is None:
        return ModelStatus(language, engine, None, None)
    if engine == WHISPER:
        problem = whisper_models.model_problem(path)
        remedy = (
            f"kundesenter models download {language}"
            if language in settings.whisper_catalog
            else f"put a CTranslate2 Whisper model there or point {model_variable(engine, language)} at one"
        )
    else:
        problem = model_problem(path)
        remedy = (
            f"kundesenter models download {language}"
            if language in settings.catalog
            else f"put a Kaldi/Vosk model there or point {model_variable(engine, language)} at one"
        )
    return ModelStatus(language, engine, path, None if problem is None else f"{problem} ({remedy})")


def all_present(statuses: Dict[str, ModelStatus]) -> bool:
    """A language without a configured model is a choice (keypad only); a configured one that is absent is a fault."""
    return all(status.ok for status in statuses.values() if status.configured)


def list_models(settings: VoiceSettings) -> List[ModelListing]:
    return [_listing(status, settings) for _, status in sorted(check(settings).items())]


def _listing(status: ModelStatus, settings: VoiceSettings) -> ModelListing:
    if status.engine == WHISPER and status.language in settings.whisper_catalog:
        whisper = settings.whisper_catalog[status.language]
        return ModelListing(status.language, whisper.name("|".join(whisper.sizes)), "-", status)
    vosk = settings.catalog.get(status.language)
    if status.engine == VOSK and vosk is not None:
        return ModelListing(status.language, vosk.name, f"{vosk.bytes / 1e6:.0f} MB", status)
    return ModelListing(status.language, "-", "-", status)


def format_listing(listings: Sequence[ModelListing]) -> str:
    rows = [("language", "engine", "catalogue model", "size", "configured directory", "status")]
    for listing in listings:
        status = listing.status
        path = str(status.path) if status.configured else "-"
        rows.append((listing.language, status.engine, listing.catalogued, listing.size_mb, path, status.describe()))
    widths = [max(len(cell) for cell in column) for column in zip(*rows)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def format_check(statuses: Dict[str, ModelStatus]) -> str:
    """One line per language: which engine serves it, and whether its model is there."""
    lines = [
        f"{language} ({status.engine}): {status.describe()}" + (f"  [{status.path}]" if status.ok else "")
        for language, status in statuses.items()
    ]
    return "\n".join(lines)


def default_directory(language: str, settings: VoiceSettings) -> Path:
    """Beside the configured model, so the downloaded one lands where the configuration will look for it."""
    configured = settings.models_of(VOSK).get(language)
    return configured.parent if configured is not None else DEFAULT_DIRECTORY


def download(
    language: str,
    settings: VoiceSettings,
    directory: Optional[Path] = None,
    url: Optional[str] = None,
    progress: Optional[Progress] = None,
) -> Path:
    """Fetch, verify and install the catalogue's model for `language`; returns the model directory.

    `url` replaces the catalogue's address (a mirror, or a file:// URL for offline machines); the
    size and md5 checked are still the catalogue's, so a mirror cannot substitute another file.
    """
    model = _catalogued(language, settings)
    directory = directory if directory is not None else default_directory(language, settings)
    configured = settings.models_of(VOSK).get(language)
    target = directory / (configured.name if configured is not None else model.name)
    if model_problem(target) is None:
        logger.info("%s is already installed and looks complete: nothing to download", target)
        return target
    directory.mkdir(parents=True, exist_ok=True)
    archive = _fetch(url or model.url, model, directory, progress or downloads.print_progress)
    try:
        _install(archive, target)
    finally:
        archive.unlink(missing_ok=True)
    if configured is not None and target != configured:
        logger.info(
            "The configuration looks for %s: set KUNDESENTER_VOSK_MODEL_%s=%s", configured, language.upper(), target
        )
    return target


def _catalogued(language: str, settings: VoiceSettings) -> CatalogModel:
    model = settings.catalog.get(language)
    if model is None:
        offered = ", ".join(sorted(settings.catalog)) or "none"
        raise DownloadFailed(
            f"the catalogue in voice/config.yml has no model for {language!r} (it has: {offered}). "
            "Any Kaldi/Vosk model directory can be configured by hand: "
            f"asr.languages.{language}.model in voice/config.yml "
            f"or KUNDESENTER_VOSK_MODEL_{language.upper()}"
        )
    return model


def _fetch(url: str, model: CatalogModel, directory: Path, progress: Progress) -> Path:
    """The archive as a hidden file beside the target (same file system, so installing is a rename), verified."""
    handle, name = tempfile.mkstemp(dir=directory, prefix=f".{model.name}-", suffix=".zip.part")
    archive = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            md5 = hashlib.md5()
            received = downloads.fetch_into(url, file, md5, model.bytes, f"{model.name}.zip", progress)
        _verify(url, model, received, md5.hexdigest())
    except BaseException:
        archive.unlink(missing_ok=True)
        raise
    return archive


def _verify(url: str, model: CatalogModel, received: int, md5: str) -> None:
    if received != model.bytes:
        raise DownloadFailed(
            f"the download of {url} is incomplete or wrong: {received} bytes received, the catalogue expects "
            f"{model.bytes}. Nothing was installed; try again"
        )
    if md5 != model.md5.lower():
        raise DownloadFailed(
            f"the download of {url} is corrupt or not the catalogued file: md5 {md5}, the catalogue expects "
            f"{model.md5}. It was deleted and nothing was installed"
        )


def _install(archive: Path, target: Path) -> None:
    """Unpack beside the target and rename into place, so the target is either absent or complete."""
    unpacked = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-unpack-"))
    try:
        root = _unpack(archive, unpacked)
        problem = model_problem(root)
        if problem is not None:
            raise DownloadFailed(
                f"the archive passed its checks but holds no usable model ({problem}); nothing was installed"
            )
        downloads.replace_atomically(root, target)
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)


def _unpack(archive: Path, into: Path) -> Path:
    """The model directory inside the archive: Vosk's zips hold one top-level folder, some hold the files directly."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(into)  # zipfile drops absolute paths and "..", so nothing lands outside `into`
    except zipfile.BadZipFile as error:
        raise DownloadFailed(f"the download is not a valid zip archive ({error}); nothing was installed") from error
    entries = list(into.iterdir())
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else into
