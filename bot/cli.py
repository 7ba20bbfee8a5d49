"""`kundesenter`: train, run, chat with and evaluate the assistant."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional

from bot import project
from bot.privacy import cli as privacy_cli
from bot.privacy import logs as privacy_logs

if TYPE_CHECKING:
    from bot.services import Services


def _train(args: argparse.Namespace) -> int:
    from bot.model_cache import ensure_model

    print(ensure_model(Path(args.config)))
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot import secrets, services
    from bot.model_cache import ensure_model

    model = ensure_model()
    running = services.start(model, services.Ports(args.port, args.actions_port, args.backend_port, args.desk_port))
    return _serve(
        lambda: services.wait_until_ready(running),
        lambda: (
            "\nKundesenter is running:\n"
            f"  Web chat       {running.desk_url}/chat   (Swedish: {running.desk_url}/chat?lang=sv)\n"
            f"  Agent desk     {running.desk_url}/desk   (first user: kundesenter agents add --role supervisor ...)\n"
            f"  Supervisor     {running.desk_url}/supervisor\n"
            f"  REST webhook   {running.rest_url}\n"
            f"  Rasa HTTP API  http://localhost:{args.port}/status?token=...  (token: {secrets.default_directory()}/rasa_token)\n"
            f"  Action server  {running.actions_url}\n"
            f"  Back-end       {running.backend_url}  (API description: {running.backend_url}/openapi.json)\n"
            f"  Conversations  {running.tracker_db} (SQLite)\n"
            f"  Model          {model.name}\n"
            "Talk to it: kundesenter chat   (Ctrl-C stops everything)\n"
        ),
        running,
        running.stop,
    )


def _cluster(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from bot.cluster import settings, topology
    from bot.model_cache import ensure_model

    model = ensure_model()
    chosen = settings.load()
    chosen = replace(chosen, rasa_processes=args.rasa_processes or chosen.rasa_processes)
    running = topology.start(model, chosen)
    return _serve(
        running.wait_until_ready,
        lambda: (
            "\nKundesenter's production topology is running (bot/cluster/cluster.yml):\n"
            f"  Web chat       {running.desk_url}/chat   (Swedish: {running.desk_url}/chat?lang=sv)\n"
            f"  Agent desk     {running.desk_url}/desk\n"
            f"  Supervisor     {running.desk_url}/supervisor\n"
            f"  REST webhook   {running.rest_url}   (nginx)\n"
            f"  Rasa servers   {len(running.rasa_ports)} behind nginx, ports {running.rasa_ports}, pids {running.rasa_pids()}\n"
            f"  Conversations  PostgreSQL on 127.0.0.1:{running.database.port} ({chosen.tracker_database})\n"
            f"  Locks          Redis on 127.0.0.1:{running.redis_port}\n"
            f"  Back-end       {running.backend_url}\n"
            f"  Logs, data     {running.database.directory.parent}\n"
            f"Talk to it: kundesenter chat --url {running.rest_url}   (Ctrl-C stops everything)\n"
        ),
        running.servers,
        running.stop,
    )


def _serve(
    wait_until_ready: Callable[[], None], banner: Callable[[], str], servers: Services, stop: Callable[[], None]
) -> int:
    """Until Ctrl-C, SIGTERM or a crash loop; a server that dies meanwhile is restarted (bot/supervisor.py)."""
    from bot import supervisor

    def ready() -> None:
        wait_until_ready()
        print(banner(), flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return supervisor.Supervisor(servers, supervisor.load(), stop).run(ready)


def _backend(args: argparse.Namespace) -> int:
    from backend.__main__ import main as backend_main

    argv = ["--host", args.host, "--port", str(args.port)]
    argv += ["--database-url", args.database_url] if args.database_url else []
    argv += ["--seed", args.seed] if args.seed else []
    return backend_main(argv)


def _desk(args: argparse.Namespace) -> int:
    from bot.desk.__main__ import main as desk_main

    desk_main(args.options)
    return 0


def _agents(args: argparse.Namespace) -> int:
    from bot.desk.cli import COMMANDS

    return COMMANDS[args.action](args.options)


def _chat(args: argparse.Namespace) -> int:
    from bot.chat import chat

    chat(args.url, args.language)
    return 0


def _eval(args: argparse.Namespace) -> int:
    from bot import evaluation

    minimum = evaluation.MINIMUM_INTENT_ACCURACY if args.minimum is None else args.minimum
    return evaluation.main(cross_validation=args.cross_validation, folds=args.folds, minimum=minimum)


def _models_list(args: argparse.Namespace) -> int:
    from voice import models, settings

    print(models.format_listing(models.list_models(settings.default())))
    return 0


def _models_download(args: argparse.Namespace) -> int:
    """The language's configured engine decides what is fetched; `--size` or `--engine whisper` asks for Whisper."""
    from voice import models, settings, whisper_models

    chosen = settings.default()
    directory = Path(args.dir) if args.dir else None
    engine = args.engine or ("whisper" if args.size else chosen.engines.get(args.language, "vosk"))
    try:
        if engine == "whisper":
            installed = whisper_models.download(
                args.language, chosen, args.size, directory, args.url, allow_unverified=args.allow_unverified
            )
        else:
            installed = models.download(args.language, chosen, directory, args.url)
        print(installed)
    except models.DownloadFailed as error:
        print(f"\nkundesenter models download: {error}", file=sys.stderr)  # below the progress line
        return 1
    return 0


def _models_check(args: argparse.Namespace) -> int:
    from voice import models, settings

    statuses = models.check(settings.default())
    print(models.format_check(statuses))
    return 0 if models.all_present(statuses) else 1


def _voice(args: argparse.Namespace) -> int:
    import asyncio

    from voice import local_call, settings
    from voice.transports import local

    if args.list_devices:
        print("\n".join(str(device) for device in local.list_devices()) or "no audio devices found")
        return 0
    if not args.local:
        print("kundesenter voice: only --local is available here; phone lines come through the SIP gateway", file=sys.stderr)
        return 2
    chosen = settings.default()
    try:
        record = asyncio.run(
            local_call.talk(chosen, args.language, args.rasa_url, _device(args.input_device), _device(args.output_device))
        )
    except local.NoAudioDevice as error:
        print(f"kundesenter voice: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        record = None
    print(local_call.describe(record))
    return 0


def _phone(args: argparse.Namespace) -> int:
    import asyncio
    from dataclasses import replace

    from voice import settings
    from voice.phone_service import PhoneService

    sip, phone = settings.load_sip(), settings.load_phone()
    sip = replace(
        sip,
        listen_host=args.sip_host or sip.listen_host,
        listen_port=sip.listen_port if args.sip_port is None else args.sip_port,
        rtp_port_start=args.rtp_port or sip.rtp_port_start,
        registrar=args.registrar or sip.registrar,
        username=args.username or sip.username,
    )
    phone = replace(
        phone,
        twilio_port=phone.twilio_port if args.twilio_port is None else args.twilio_port,
        agent_queue_uri=args.agent_queue_uri or phone.agent_queue_uri,
        calls_dir=Path(args.calls_dir) if args.calls_dir else phone.calls_dir,
    )
    asyncio.run(PhoneService(args.rasa_url, args.desk_url, sip, phone).serve())
    return 0


def _device(value: Optional[str]) -> Optional[object]:
    """A device by index ("3") or by name, as sounddevice takes it; None keeps voice/config.yml's choice."""
    return int(value) if value is not None and value.isdigit() else value


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="kundesenter", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train the model if its inputs changed")
    train.add_argument("--config", default=str(project.CONFIG))
    train.set_defaults(handler=_train)

    run = commands.add_parser("run", help="train if needed, then start the Rasa server and the action server")
    run.add_argument("--port", type=int, default=5005)
    run.add_argument("--actions-port", type=int, default=5055)
    run.add_argument("--backend-port", type=int, default=8077)
    run.add_argument("--desk-port", type=int, default=8090)
    run.set_defaults(handler=_run)

    cluster = commands.add_parser(
        "cluster", help="the production topology on this machine: N Rasa servers behind nginx, PostgreSQL, Redis"
    )
    cluster.add_argument("--rasa-processes", type=int, help="Rasa servers (default: bot/cluster/cluster.yml)")
    cluster.set_defaults(handler=_cluster)

    backend = commands.add_parser("backend", help="run only the reference carrier back-end")
    backend.add_argument("--host", default="127.0.0.1")
    backend.add_argument("--port", type=int, default=8077)
    backend.add_argument("--database-url", help="SQLAlchemy URL (default: $BACKEND_DATABASE_URL or var/backend.db)")
    backend.add_argument("--seed", help="demo data file (default: backend/demo_data.yml)")
    backend.set_defaults(handler=_backend)

    desk = commands.add_parser("desk", help="run only the desk: web chat page, agent desk, supervisor view")
    desk.add_argument("options", nargs=argparse.REMAINDER, help="--host, --port")
    desk.set_defaults(handler=_desk)

    agents = commands.add_parser("agents", help="manage agent-desk users: agents add --username ... --first-name ...")
    agents.add_argument("action", choices=["add", "disable", "enable", "reset-password"])
    agents.add_argument("options", nargs=argparse.REMAINDER, help="see: kundesenter agents ACTION --help")
    agents.set_defaults(handler=_agents)

    chat = commands.add_parser("chat", help="chat with a running assistant in the terminal")
    chat.add_argument("--url", default="http://localhost:5005/webhooks/rest/webhook")
    chat.add_argument("--language", choices=["nb", "sv"], help="start the conversation in this language")
    chat.set_defaults(handler=_chat)

    evaluate = commands.add_parser("eval", help="NLU accuracy on the held-out set (and cross-validation)")
    evaluate.add_argument("--cross-validation", action="store_true", help="also compare the pipelines by cross-validation")
    evaluate.add_argument("--folds", type=int, default=5)
    evaluate.add_argument("--minimum", type=float, help="fail below this intent accuracy per language (default 0.90)")
    evaluate.set_defaults(handler=_eval)

    voice = commands.add_parser("voice", help="talk to a running assistant by voice: --local uses microphone and speakers")
    voice.add_argument("--local", action="store_true", help="this computer's microphone and speakers (use a headset)")
    voice.add_argument("--language", choices=["nb", "sv"], default="sv")
    voice.add_argument("--rasa-url", default="http://localhost:5005")
    voice.add_argument("--input-device", help="index or name (see --list-devices); default from voice/config.yml")
    voice.add_argument("--output-device", help="index or name (see --list-devices)")
    voice.add_argument("--list-devices", action="store_true", help="print the audio devices PortAudio finds")
    voice.set_defaults(handler=_voice)

    phone = commands.add_parser("phone", help="answer phone calls: a SIP line and Twilio media streams")
    phone.add_argument("--rasa-url", default="http://localhost:5005")
    phone.add_argument("--desk-url", default="http://localhost:8090")
    phone.add_argument("--sip-port", type=int, help="SIP/UDP port (0 = any free port, -1 = no SIP); voice/config.yml")
    phone.add_argument("--sip-host", help="address SIP and RTP bind to (default from voice/config.yml)")
    phone.add_argument("--rtp-port", type=int, help="first RTP port (pairs are taken upwards)")
    phone.add_argument("--registrar", help="register at this SIP registrar, e.g. sip:127.0.0.1:5060")
    phone.add_argument("--username", help="the SIP user the bot registers as")
    phone.add_argument("--twilio-port", type=int, help="media-stream WebSocket port (0 = off)")
    phone.add_argument("--agent-queue-uri", help="where callers are transferred on hand-over, e.g. sip:agents@pbx")
    phone.add_argument("--calls-dir", help="where each finished call is written as JSON (default var/calls)")
    phone.set_defaults(handler=_phone)

    privacy_cli.add_parser(commands)

    models = commands.add_parser(
        "models", help="speech models (Vosk, Whisper): the catalogue, downloads, what is installed"
    )
    model_actions = models.add_subparsers(dest="action", required=True)
    model_actions.add_parser("list", help="the catalogue and each language's configured model").set_defaults(
        handler=_models_list
    )
    download = model_actions.add_parser(
        "download", help="fetch the publisher's model for the language's engine, verify every file, install it"
    )
    download.add_argument("language", help="nb or sv")
    download.add_argument(
        "--engine", choices=["vosk", "whisper"], help="default: the language's engine in voice/config.yml"
    )
    download.add_argument(
        "--size", choices=["tiny", "base", "small"], help="Whisper model size (implies --engine whisper)"
    )
    download.add_argument(
        "--url", help="another address for the same files: a mirror, file:///path/model.zip (Vosk), file:///dir (Whisper)"
    )
    download.add_argument("--dir", help="install here (default: beside the configured model, else models/vosk|whisper)")
    download.add_argument(
        "--allow-unverified", action="store_true", help="install Whisper files the catalogue has no sha256 for"
    )
    download.set_defaults(handler=_models_download)
    model_actions.add_parser(
        "check", help="which engine and model serve each language, and are they there? (exit code 1 if not)"
    ).set_defaults(
        handler=_models_check
    )
    return root


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    privacy_logs.install()  # `kundesenter phone` and every other command log no personal data either
    args = parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
