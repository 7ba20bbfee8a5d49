"""The voice layer's settings from `voice/config.yml`, typed once so no module reads raw YAML."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

import yaml

from bot import project

CONFIG = Path(__file__).with_name("config.yml")
Device = Union[str, int, None]


@dataclass(frozen=True)
class VadSettings:
    aggressiveness: int
    padding_ms: int
    trailing_silence_ms: int


@dataclass(frozen=True)
class TurnSettings:
    no_input_timeout_s: float
    max_no_input: int
    max_no_match: int
    max_turn_s: float


@dataclass(frozen=True)
class TtsSettings:
    voices: Dict[str, str]
    words_per_minute: int
    cache_size: int


@dataclass(frozen=True)
class CatalogModel:
    name: str
    url: str
    bytes: int
    md5: str


@dataclass(frozen=True)
class WhisperSettings:
    """How Whisper-family models decode (`asr.whisper`); see the comments in config.yml for why each default."""

    language_codes: Dict[str, str]  # our language -> Whisper's token (NB-Whisper is trained on "no")
    workers: int  # utterances decoded at once, by all calls and languages together
    threads_per_worker: int
    compute_type: str
    window_s: int
    beam_size: int
    max_new_tokens: int
    no_speech_threshold: float
    min_avg_logprob: float


@dataclass(frozen=True)
class WhisperCatalogModel:
    """A language's published Whisper models (`whisper_catalog`): one repository per size, the same files in each."""

    repository: str  # URL with {size}
    revision: str
    files: Dict[str, str]  # path in the repository -> name in the installed directory
    sha256: Dict[str, Optional[Dict[str, str]]]  # size -> installed name -> checksum; None: not known here

    @property
    def sizes(self) -> Tuple[str, ...]:
        return tuple(self.sha256)

    def name(self, size: str) -> str:
        return self.repository.rstrip("/").rsplit("/", 1)[-1].format(size=size)

    def files_url(self, size: str) -> str:
        """Where the repository's files are served: `<files_url>/<path in the repository>`."""
        return f"{self.repository.format(size=size)}/resolve/{self.revision}"


@dataclass(frozen=True)
class VoiceSettings:
    sample_rate: int
    frame_ms: int
    models: Dict[str, Optional[Path]]  # language -> model directory, None when none is configured
    engines: Dict[str, str]  # language -> recogniser engine ("vosk", "whisper")
    vad: VadSettings
    turn: TurnSettings
    tts: TtsSettings
    input_device: Device
    output_device: Device
    catalog: Dict[str, CatalogModel]
    device_latency_s: float  # sound-card buffering of the local-audio line
    whisper: WhisperSettings
    whisper_catalog: Dict[str, WhisperCatalogModel]

    @property
    def frame_bytes(self) -> int:
        return self.sample_rate * self.frame_ms // 1000 * 2

    def models_of(self, engine: str) -> Dict[str, Optional[Path]]:
        """The model directories of the languages `engine` serves."""
        return {language: path for language, path in self.models.items() if self.engines[language] == engine}


def model_variable(engine: str, language: str) -> str:
    """The environment variable that overrides a language's model directory, e.g. KUNDESENTER_WHISPER_MODEL_NB."""
    return f"KUNDESENTER_{engine.upper()}_MODEL_{language.upper()}"


def _engine(language: str, configured: str) -> str:
    return os.environ.get(f"KUNDESENTER_ASR_ENGINE_{language.upper()}", configured)


def _model_path(language: str, engine: str, configured: Optional[str]) -> Optional[Path]:
    value = os.environ.get(model_variable(engine, language), configured)
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else project.ROOT / path


def _whisper(raw: dict) -> WhisperSettings:
    """`workers: null` means one per core: decoding is CPU-bound, so more only makes every call wait longer."""
    return WhisperSettings(
        language_codes={str(language): str(code) for language, code in raw["language_codes"].items()},
        workers=int(raw["workers"] or os.cpu_count() or 1),
        threads_per_worker=int(raw["threads_per_worker"]),
        compute_type=str(raw["compute_type"]),
        window_s=int(raw["window_s"]),
        beam_size=int(raw["beam_size"]),
        max_new_tokens=int(raw["max_new_tokens"]),
        no_speech_threshold=float(raw["no_speech_threshold"]),
        min_avg_logprob=float(raw["min_avg_logprob"]),
    )


def _whisper_catalog(raw: dict) -> WhisperCatalogModel:
    return WhisperCatalogModel(
        repository=str(raw["repository"]),
        revision=str(raw["revision"]),
        files={str(source): str(target) for source, target in raw["files"].items()},
        sha256={str(size): (dict(sums) if sums else None) for size, sums in raw["sha256"].items()},
    )


def load(path: Path = CONFIG) -> VoiceSettings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    asr = raw["asr"]["languages"]
    engines = {language: _engine(language, str(entry["engine"])) for language, entry in asr.items()}
    return VoiceSettings(
        sample_rate=int(raw["sample_rate"]),
        frame_ms=int(raw["frame_ms"]),
        models={language: _model_path(language, engines[language], entry["model"]) for language, entry in asr.items()},
        engines=engines,
        vad=VadSettings(**raw["vad"]),
        turn=TurnSettings(**raw["turn"]),
        tts=TtsSettings(**raw["tts"]),
        input_device=raw["local"]["input_device"],
        output_device=raw["local"]["output_device"],
        catalog={language: CatalogModel(**model) for language, model in raw["catalog"].items()},
        device_latency_s=float(raw["local"]["latency_s"]),
        whisper=_whisper(raw["asr"]["whisper"]),
        whisper_catalog={language: _whisper_catalog(model) for language, model in raw["whisper_catalog"].items()},
    )


@lru_cache(maxsize=None)
def default() -> VoiceSettings:
    return load()


@dataclass(frozen=True)
class TwilioSettings:
    """The Twilio Media Streams endpoint (`twilio:` in config.yml); kept apart because only the phone gateway needs it."""

    path: str
    auth_token: Optional[str]  # None: signatures are not checked (local tests, a private network)
    public_url: Optional[str]  # scheme and host Twilio dials, when a proxy rewrites them
    start_timeout_s: float
    max_message_bytes: int


def load_twilio(path: Path = CONFIG) -> TwilioSettings:
    """The token comes from the environment first, so a real secret never has to be written into the YAML."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["twilio"]
    return TwilioSettings(
        path=raw["path"],
        auth_token=os.environ.get("KUNDESENTER_TWILIO_AUTH_TOKEN") or raw["auth_token"] or None,
        public_url=raw["public_url"],
        start_timeout_s=float(raw["start_timeout_s"]),
        max_message_bytes=int(raw["max_message_bytes"]),
    )


@dataclass(frozen=True)
class SipSettings:
    """The SIP line (`sip:` in config.yml); kept apart because only the phone gateway needs it."""

    listen_host: str
    listen_port: int
    registrar: Optional[str]  # None: no registration, callers dial the bot's address directly
    username: str
    password: Optional[str]
    codecs: Tuple[str, ...]
    max_calls: int
    call_timeout_s: float
    rtp_port_start: int
    transfer_timeout_s: float


def load_sip(path: Path = CONFIG) -> SipSettings:
    """The password comes from the environment first, so a real secret never has to be written into the YAML."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["sip"]
    return SipSettings(
        listen_host=str(raw["listen_host"]),
        listen_port=int(raw["listen_port"]),
        registrar=raw["registrar"] or None,
        username=str(raw["username"]),
        password=os.environ.get("KUNDESENTER_SIP_PASSWORD") or raw["password"] or None,
        codecs=tuple(str(codec) for codec in raw["codecs"]),
        max_calls=int(raw["max_calls"]),
        call_timeout_s=float(raw["call_timeout_s"]),
        rtp_port_start=int(raw["rtp_port_start"]),
        transfer_timeout_s=float(raw["transfer_timeout_s"]),
    )


@dataclass(frozen=True)
class PhoneSettings:
    """The phone gateway (`phone:` in config.yml): languages per number, the agents' queue, the call log."""

    languages: Dict[str, str]
    default_language: str
    agent_queue_uri: str
    calls_dir: Path
    twilio_port: int


def load_phone(path: Path = CONFIG) -> PhoneSettings:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["phone"]
    calls_dir = Path(raw["calls_dir"])
    return PhoneSettings(
        languages={str(number): str(language) for number, language in (raw["languages"] or {}).items()},
        default_language=str(raw["default_language"]),
        agent_queue_uri=os.environ.get("KUNDESENTER_AGENT_QUEUE_URI") or str(raw["agent_queue_uri"]),
        calls_dir=calls_dir if calls_dir.is_absolute() else project.ROOT / calls_dir,
        twilio_port=int(raw["twilio_port"]),
    )
