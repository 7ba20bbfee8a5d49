"""Each language's recogniser engine comes from voice/config.yml: Whisper for Norwegian, Vosk still selectable."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import project
from voice import settings as voice_settings
from voice.asr.engines import EngineRecognisers, UnknownEngine
from voice.asr.vosk import VoskModels
from voice.asr.whisper import WhisperModels, WhisperStream
from voice.settings import VoiceSettings


def configured(tmp_path: Path, languages: dict) -> VoiceSettings:
    """The shipped voice/config.yml with only `asr.languages` changed, loaded the way the gateway loads it."""
    raw = yaml.safe_load(voice_settings.CONFIG.read_text(encoding="utf-8"))
    raw["asr"]["languages"] = languages
    path = tmp_path / "config.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return voice_settings.load(path)


@pytest.fixture(autouse=True)
def no_overrides(monkeypatch):
    """The developer's own KUNDESENTER_*_MODEL_* or engine choices must not leak into these tests."""
    for name in [name for name in os.environ if name.startswith("KUNDESENTER_") and "_MODEL_" in name]:
        monkeypatch.delenv(name)
    for language in ("NB", "SV"):
        monkeypatch.delenv(f"KUNDESENTER_ASR_ENGINE_{language}", raising=False)


def test_the_shipped_configuration_gives_norwegian_to_whisper_and_keeps_swedish_on_vosk():
    shipped = voice_settings.load()
    assert shipped.engines == {"nb": "whisper", "sv": "vosk"}
    assert shipped.models["nb"] == project.ROOT / "models/whisper/nb-whisper-base"


def test_a_norwegian_call_gets_a_whisper_stream_and_a_swedish_one_vosk(tmp_path, whisper_model_path, korean_model_path):
    settings = configured(
        tmp_path,
        {"nb": {"engine": "whisper", "model": str(whisper_model_path)},
         "sv": {"engine": "vosk", "model": str(korean_model_path)}},
    )  # fmt: skip
    recognisers = EngineRecognisers(settings)
    try:
        assert isinstance(recognisers.engine_of("nb"), WhisperModels)
        assert isinstance(recognisers.engine_of("sv"), VoskModels)
        assert recognisers.has("nb") and recognisers.has("sv") and not recognisers.has("da")
        stream = asyncio.run(recognisers.stream("nb"))
        assert isinstance(stream, WhisperStream) and stream.language == "no"
    finally:
        recognisers.close()


def test_swedish_can_be_switched_to_kb_whisper_from_the_environment(tmp_path, whisper_model_path, monkeypatch):
    monkeypatch.setenv("KUNDESENTER_ASR_ENGINE_SV", "whisper")
    monkeypatch.setenv("KUNDESENTER_WHISPER_MODEL_SV", str(whisper_model_path))
    settings = configured(tmp_path, {"sv": {"engine": "vosk", "model": "models/vosk/vosk-model-small-sv-rhasspy-0.15"}})

    recognisers = EngineRecognisers(settings)
    try:
        assert settings.engines == {"sv": "whisper"} and settings.models["sv"] == whisper_model_path
        assert isinstance(recognisers.engine_of("sv"), WhisperModels) and recognisers.has("sv")
        assert asyncio.run(recognisers.stream("sv")).language == "sv"
    finally:
        recognisers.close()


def test_a_language_without_a_model_is_keypad_only_whatever_its_engine(tmp_path):
    languages = {"nb": {"engine": "whisper", "model": None}, "sv": {"engine": "vosk", "model": None}}
    settings = configured(tmp_path, languages)
    recognisers = EngineRecognisers(settings)
    assert not recognisers.has("nb") and not recognisers.has("sv")


def test_an_unknown_engine_is_a_configuration_error_naming_the_known_ones(tmp_path):
    settings = configured(tmp_path, {"nb": {"engine": "kaldi", "model": None}})
    with pytest.raises(UnknownEngine, match="'kaldi'.*vosk, whisper"):
        EngineRecognisers(settings)


def test_a_vosk_only_deployment_never_loads_faster_whisper(tmp_path):
    settings_file = configured(tmp_path, {"sv": {"engine": "vosk", "model": None}})
    assert settings_file.engines == {"sv": "vosk"}
    probe = (
        "import sys; from voice import settings; from voice.asr.engines import EngineRecognisers; "
        f"EngineRecognisers(settings.load(__import__('pathlib').Path({str(tmp_path / 'config.yml')!r}))); "
        "print('faster_whisper' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=project.ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
