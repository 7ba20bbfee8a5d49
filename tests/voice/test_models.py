"""`kundesenter models`: the model catalogue, a verified download from a real (local) HTTP server, and the check.

The archive is a small fake model tree zipped by the test; the catalogue entry is rewritten to its
size and md5, so every byte of the real download path (HTTP, streaming, verification, unpacking,
renaming) runs without the internet.
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
from typing import Dict, Iterator, List

import pytest

from bot import project
from voice import models
from voice.settings import CatalogModel, VoiceSettings

MODEL_NAME = "vosk-model-small-sv-test"
KUNDESENTER = Path(sys.executable).with_name("kundesenter")


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
    statuses = models.check(replace(voice_settings, models={"ko": korean_model_path}))

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


def kundesenter(*args: str, model_sv: Path) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KUNDESENTER_VOSK_MODEL_")}
    environment["KUNDESENTER_VOSK_MODEL_SV"] = str(model_sv)
    return subprocess.run(
        [str(KUNDESENTER), "models", *args],
        env=environment,
        cwd=project.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_lists_the_catalogue_and_the_installed_swedish_model(korean_model_path):
    result = kundesenter("list", model_sv=korean_model_path)

    assert result.returncode == 0, result.stderr
    sv = next(line for line in result.stdout.splitlines() if line.startswith("sv "))
    assert "vosk-model-small-sv-rhasspy-0.15" in sv and str(korean_model_path) in sv and sv.endswith("OK")
    assert "nb" in result.stdout and "not configured" in result.stdout


def test_cli_check_passes_when_the_configured_model_is_there(korean_model_path):
    result = kundesenter("check", model_sv=korean_model_path)

    assert result.returncode == 0, result.stderr
    assert f"sv: OK  [{korean_model_path}]" in result.stdout


@pytest.mark.parametrize("installed", ["nothing", "an empty directory"])
def test_cli_check_fails_when_the_configured_model_is_missing(tmp_path, installed):
    model = tmp_path / "vosk-model-small-sv"
    if installed == "an empty directory":
        model.mkdir()

    result = kundesenter("check", model_sv=model)

    assert result.returncode == 1
    expected = "missing" if installed == "nothing" else "not a Vosk model"
    assert f"sv: {expected}: {model}" in result.stdout
    assert "kundesenter models download sv" in result.stdout


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
