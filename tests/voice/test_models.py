"""`kundesenter models`: the model catalogue, a verified download from a real (local) HTTP server, and the check.

The Vosk archive is a small fake model tree zipped by the test, the Whisper files are a random-weight
model built by the test; the catalogue entries are rewritten to their sizes and checksums, so every
byte of the real download path (HTTP, streaming, verification, unpacking, renaming) runs without the
internet.
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest

from bot import project
from voice import models, whisper_models
from voice.settings import CatalogModel, VoiceSettings

MODEL_NAME = "vosk-model-small-sv-test"


def fake_model_zip(name: str = MODEL_NAME, complete: bool = True) -> bytes:
    """A Vosk lookahead model's layout with filler bytes: enough for the check, nothing for Kaldi to load."""
    files = {"am/final.mdl": 40_000, "conf/mfcc.conf": 100, "conf/model.conf": 100, "graph/HCLr.fst": 30_000}
    if complete:
        files["graph/Gr.fst"] = 30_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, size in files.items():
            archive.writestr(f"{name}/{path}", os.urandom(size))
        archive.writestr(f"{name}/README", "a fake model for the download tests\n")
    return buffer.getvalue()


@dataclass
class FileServer:
    """Serves byte strings by path; `cut_after` makes it announce the full length but hang up early."""

    files: Dict[str, bytes] = field(default_factory=dict)
    requests: List[str] = field(default_factory=list)
    cut_after: Dict[str, int] = field(default_factory=dict)
    without_length: List[str] = field(default_factory=list)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server: FileServer) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append(self.path)
            body = server.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            if self.path not in server.without_length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: server.cut_after.get(self.path, len(body))])
            self.close_connection = True

        def log_message(self, *args) -> None:
            pass

    return Handler


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    served = FileServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    served.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def catalogued(settings: VoiceSettings, archive: bytes, url: str, model_directory: Path) -> VoiceSettings:
    """The project's settings with the Swedish catalogue entry and model path pointed at the test's archive."""
    entry = CatalogModel(MODEL_NAME, url, len(archive), hashlib.md5(archive).hexdigest())
    return replace(settings, catalog={"sv": entry}, models={"sv": model_directory / MODEL_NAME, "nb": None})


def quiet(received: int, expected: int) -> None:
    pass


def leftovers(directory: Path) -> List[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_swedish_model_is_downloaded_verified_and_unpacked_where_the_configuration_looks(
    voice_settings, file_server, tmp_path
):
    archive = fake_model_zip()
    file_server.files["/sv.zip"] = archive
    settings = catalogued(voice_settings, archive, file_server.url("/sv.zip"), tmp_path / "vosk")
    progress: List[int] = []

    installed = models.download("sv", settings, progress=lambda received, expected: progress.append(received))

    assert installed == settings.models["sv"]
    assert (installed / "am" / "final.mdl").stat().st_size == 40_000
    assert leftovers(tmp_path / "vosk") == [MODEL_NAME], "no temporary archive or unpack directory remains"
    assert progress[-1] == len(archive)
    assert models.check(settings)["sv"].ok


def test_a_complete_model_is_not_downloaded_again(voice_settings, file_server, tmp_path):
    archive = fake_model_zip()
    file_server.files["/sv.zip"] = archive
    settings = catalogued(voice_settings, archive, file_server.url("/sv.zip"), tmp_path / "vosk")
    models.download("sv", settings, progress=quiet)

    assert models.download("sv", settings, progress=quiet) == settings.models["sv"]
    assert file_server.requests == ["/sv.zip"]


def test_an_incomplete_model_is_replaced_by_a_fresh_download(voice_settings, file_server, tmp_path):
    archive = fake_model_zip()
    file_server.files["/sv.zip"] = archive
    settings = catalogued(voice_settings, archive, file_server.url("/sv.zip"), tmp_path / "vosk")
    (settings.models["sv"] / "am").mkdir(parents=True)  # e.g. someone unpacked half of it by hand

    models.download("sv", settings, progress=quiet)

    assert models.check(settings)["sv"].ok
    assert leftovers(tmp_path / "vosk") == [MODEL_NAME]


def test_download_with_the_wrong_md5_is_refused_and_deleted(voice_settings, file_server, tmp_path):
    archive = fake_model_zip()
    file_server.files["/sv.zip"] = archive
    settings = catalogued(voice_settings, archive, file_server.url("/sv.zip"), tmp_path / "vosk")
    settings = replace(settings, catalog={"sv": replace(settings.catalog["sv"], md5="0" * 32)})

    with pytest.raises(models.DownloadFailed, match="md5 .* the catalogue expects 0{32}"):
        models.download("sv", settings, progress=quiet)

    assert leftovers(tmp_path / "vosk") == []
    assert not models.check(settings)["sv"].ok


@pytest.mark.parametrize(
    "server_fault",
    ["hangs up half-way", "serves a shorter file", "serves a shorter file without a length"],
)
def test_truncated_download_is_refused_and_deleted(voice_settings, file_server, tmp_path, server_fault):
    archive = fake_model_zip()
    settings = catalogued(voice_settings, archive, file_server.url("/sv.zip"), tmp_path / "vosk")
    if server_fault == "hangs up half-way":
        file_server.files["/sv.zip"] = archive
        file_server.cut_after["/sv.zip"] = len(archive) // 2
    else:
        file_server.files["/sv.zip"] = archive[: len(archive) // 2]
        if server_fault.endswith("without a length"):
            file_server.without_length.append("/sv.zip")

    with pytest.raises(models.DownloadFailed, match=rf"{len(archive)}"):
        models.download("sv", settings, progress=quiet)

    assert leftovers(tmp_path / "vosk") == []


def test_archive_without_a_model_is_not_installed(voice_settings, file_server, tmp_path):
    archive = fake_model_zip(complete=False)
    file_server.files["/sv.zip"] = archive
    settings = catalogued(voice_settings, archive, file_server.url("/sv.zip"), tmp_path / "vosk")

    with pytest.raises(models.DownloadFailed, match="no usable model .*Gr.fst"):
        models.download("sv", settings, progress=quiet)

    assert leftovers(tmp_path / "vosk") == []


def test_server_down_gives_a_clear_error(voice_settings, tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    archive = fake_model_zip()
    settings = catalogued(voice_settings, archive, f"http://127.0.0.1:{port}/sv.zip", tmp_path / "vosk")

    with pytest.raises(
        models.DownloadFailed, match=rf"cannot download http://127.0.0.1:{port}/sv.zip: .*refused.*--url file://"
    ):
        models.download("sv", settings, progress=quiet)

    assert leftovers(tmp_path / "vosk") == []


def test_language_without_catalogued_model_says_how_to_configure_one(voice_settings):
    with pytest.raises(models.DownloadFailed, match="no model for 'nb'.*KUNDESENTER_VOSK_MODEL_NB"):
        models.download("nb", voice_settings, progress=quiet)


def test_the_korean_model_from_pypi_looks_like_a_vosk_model(voice_settings, korean_model_path):
    statuses = models.check(replace(voice_settings, models={"ko": korean_model_path}, engines={"ko": "vosk"}))

    assert statuses["ko"].ok
    assert statuses["ko"].describe() == "OK"


def test_a_model_in_the_older_flat_layout_is_recognised(tmp_path):
    for name in ("final.mdl", "mfcc.conf", "HCLG.fst"):
        (tmp_path / name).write_bytes(b"x")

    assert models.model_problem(tmp_path) is None


def test_a_directory_of_other_files_is_not_a_vosk_model(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mfcc.conf").write_text("--use-energy=false\n")

    problem = models.model_problem(tmp_path)

    assert (
        problem
        == f"not a Vosk model: {tmp_path} has no am/final.mdl, graph/HCLG.fst (or graph/HCLr.fst + graph/Gr.fst)"
    )


def kundesenter(*args: str, model_sv: Path, model_nb: Optional[Path] = None) -> subprocess.CompletedProcess:
    """The real command, with the shipped configuration and only the model directories pointed elsewhere."""
    overrides = ("KUNDESENTER_VOSK_MODEL_", "KUNDESENTER_WHISPER_MODEL_", "KUNDESENTER_ASR_ENGINE_")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(overrides)}
    environment["KUNDESENTER_VOSK_MODEL_SV"] = str(model_sv)
    if model_nb is not None:
        environment["KUNDESENTER_WHISPER_MODEL_NB"] = str(model_nb)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "models", *args],  # this checkout's code, whichever one the venv installed
        env=environment,
        cwd=project.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_lists_each_language_with_its_engine_catalogue_and_model(korean_model_path, whisper_model_path):
    result = kundesenter("list", model_sv=korean_model_path, model_nb=whisper_model_path)

    assert result.returncode == 0, result.stderr
    sv = next(line for line in result.stdout.splitlines() if line.startswith("sv "))
    assert " vosk " in sv and "vosk-model-small-sv-rhasspy-0.15" in sv and str(korean_model_path) in sv
    assert sv.endswith("OK")
    nb = next(line for line in result.stdout.splitlines() if line.startswith("nb "))
    assert " whisper " in nb and "nb-whisper-tiny|base|small" in nb and str(whisper_model_path) in nb
    assert nb.endswith("OK")


def test_cli_check_says_which_engine_and_model_serve_each_language(korean_model_path, whisper_model_path):
    result = kundesenter("check", model_sv=korean_model_path, model_nb=whisper_model_path)

    assert result.returncode == 0, result.stderr
    assert f"sv (vosk): OK  [{korean_model_path}]" in result.stdout
    assert f"nb (whisper): OK  [{whisper_model_path}]" in result.stdout


@pytest.mark.parametrize("installed", ["nothing", "an empty directory"])
def test_cli_check_fails_when_the_configured_model_is_missing(tmp_path, whisper_model_path, installed):
    model = tmp_path / "vosk-model-small-sv"
    if installed == "an empty directory":
        model.mkdir()

    result = kundesenter("check", model_sv=model, model_nb=whisper_model_path)

    assert result.returncode == 1
    expected = "missing" if installed == "nothing" else "not a Vosk model"
    assert f"sv (vosk): {expected}: {model}" in result.stdout
    assert "kundesenter models download sv" in result.stdout


def test_cli_check_fails_when_the_norwegian_whisper_model_lacks_its_tokenizer(tmp_path, korean_model_path):
    """Without tokenizer.json faster-whisper would fetch OpenAI's from the internet in the middle of a call."""
    half = tmp_path / "nb-whisper-base"
    half.mkdir()
    (half / "model.bin").write_bytes(b"x")

    result = kundesenter("check", model_sv=korean_model_path, model_nb=half)

    assert result.returncode == 1
    assert f"nb (whisper): not a Whisper model: {half} has no config.json, tokenizer.json" in result.stdout
    assert "kundesenter models download nb" in result.stdout


def test_cli_download_refuses_a_file_that_is_not_the_catalogued_one(file_server, tmp_path):
    file_server.files["/other.zip"] = fake_model_zip()

    result = kundesenter(
        "download",
        "sv",
        "--url",
        file_server.url("/other.zip"),
        "--dir",
        str(tmp_path / "vosk"),
        model_sv=tmp_path / "unused",
    )

    assert result.returncode == 1
    assert "kundesenter models download:" in result.stderr and "refusing it" in result.stderr
    assert leftovers(tmp_path / "vosk") == []


# Whisper-family downloads: several files per model from the publisher's repository, each checked by sha256.

NB_FILES = {  # where NbAiLab keeps each file, relative to the repository
    "ct2/model.bin": "model.bin",
    "ct2/config.json": "config.json",
    "ct2/vocabulary.json": "vocabulary.json",
    "tokenizer.json": "tokenizer.json",
    "preprocessor_config.json": "preprocessor_config.json",
}


def publish_nb_whisper(file_server: FileServer, model: Path, size: str = "base") -> Dict[str, str]:
    """Serves `model` in NbAiLab's layout at /NbAiLab/nb-whisper-SIZE/resolve/main/…; returns the files' sha256."""
    sums = {}
    for source, installed in NB_FILES.items():
        body = (model / installed).read_bytes()
        file_server.files[f"/NbAiLab/nb-whisper-{size}/resolve/main/{source}"] = body
        sums[installed] = hashlib.sha256(body).hexdigest()
    return sums


def nb_catalogued(settings: VoiceSettings, file_server: FileServer, sums, model_directory: Path) -> VoiceSettings:
    """The shipped Norwegian Whisper catalogue entry, pointed at the test's server and given `sums` for base."""
    entry = settings.whisper_catalog["nb"]
    entry = replace(
        entry, repository=file_server.url("/NbAiLab/nb-whisper-{size}"), sha256={**entry.sha256, "base": sums}
    )
    directories = {**settings.models, "nb": model_directory / "nb-whisper-base"}
    engines = {**settings.engines, "nb": "whisper"}
    return replace(settings, whisper_catalog={"nb": entry}, models=directories, engines=engines)


def test_norwegian_whisper_is_gathered_from_the_publishers_folders_into_one_verified_directory(
    voice_settings, file_server, whisper_model_path, tmp_path
):
    sums = publish_nb_whisper(file_server, whisper_model_path)
    settings = nb_catalogued(voice_settings, file_server, sums, tmp_path / "whisper")

    installed = whisper_models.download("nb", settings, progress=quiet)

    assert installed == settings.models["nb"]  # the configured size (base) where the configuration looks
    assert sorted(p.name for p in installed.iterdir()) == sorted(NB_FILES.values())
    assert models.check(settings)["nb"].ok
    assert leftovers(tmp_path / "whisper") == ["nb-whisper-base"], "no staging directory remains"
    assert sorted(file_server.requests) == sorted(f"/NbAiLab/nb-whisper-base/resolve/main/{s}" for s in NB_FILES)
    assert whisper_models.download("nb", settings, progress=quiet) == installed
    assert len(file_server.requests) == len(NB_FILES), "a complete model is not fetched again"


def test_a_whisper_file_that_is_not_the_catalogued_one_installs_nothing(
    voice_settings, file_server, whisper_model_path, tmp_path
):
    sums = {**publish_nb_whisper(file_server, whisper_model_path), "tokenizer.json": "0" * 64}
    settings = nb_catalogued(voice_settings, file_server, sums, tmp_path / "whisper")

    with pytest.raises(models.DownloadFailed, match="tokenizer.json is corrupt .* the catalogue expects 0{64}"):
        whisper_models.download("nb", settings, progress=quiet)
    assert leftovers(tmp_path / "whisper") == []


def test_whisper_files_without_a_known_checksum_need_the_users_explicit_consent(
    voice_settings, file_server, whisper_model_path, tmp_path
):
    publish_nb_whisper(file_server, whisper_model_path)
    settings = nb_catalogued(voice_settings, file_server, None, tmp_path / "whisper")

    with pytest.raises(models.DownloadFailed, match="no sha256 .*--allow-unverified"):
        whisper_models.download("nb", settings, progress=quiet)
    assert file_server.requests == [], "nothing is fetched before the user agrees"

    installed = whisper_models.download("nb", settings, allow_unverified=True, progress=quiet)
    assert models.check(settings)["nb"].ok and installed.name == "nb-whisper-base"


def test_cli_refuses_the_shipped_catalogues_unverified_whisper_files_unless_told(
    file_server, whisper_model_path, tmp_path, korean_model_path
):
    publish_nb_whisper(file_server, whisper_model_path, size="tiny")
    mirror = ["--size", "tiny", "--url", file_server.url("/NbAiLab/nb-whisper-tiny/resolve/main")]
    mirror += ["--dir", str(tmp_path)]

    refused = kundesenter("download", "nb", *mirror, model_sv=korean_model_path)
    installed = kundesenter("download", "nb", *mirror, "--allow-unverified", model_sv=korean_model_path)

    assert refused.returncode == 1 and "--allow-unverified" in refused.stderr
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.strip() == str(tmp_path / "nb-whisper-tiny")
    assert whisper_models.model_problem(tmp_path / "nb-whisper-tiny") is None
