"""`kundesenter voice --local`: a call with the bot through this computer's microphone and speakers.

Rasa must be running (`make run`). Use a headset: the bot hears its own voice through open
speakers and takes it for the caller barging in.
"""

from __future__ import annotations

from typing import Optional

from voice.asr.engines import EngineRecognisers
from voice.call import Call, CallRecord
from voice.dialogue import RasaDialogue
from voice.settings import Device, VoiceSettings
from voice.transports.local import LocalAudio
from voice.tts.espeak import EspeakSynthesizer


async def talk(
    settings: VoiceSettings,
    language: str,
    rasa_url: str,
    input_device: Device = None,
    output_device: Device = None,
) -> CallRecord:
    """One call until the bot hands over or the caller presses Ctrl-C."""
    audio = LocalAudio(settings, input_device, output_device)  # NoAudioDevice before anything else starts
    synthesizer = EspeakSynthesizer(settings.tts)
    dialogue = RasaDialogue(rasa_url)
    recognisers = EngineRecognisers(settings)
    try:
        call = Call(audio, dialogue, synthesizer, settings, language, recognisers, caller="local")
        return await call.run()
    finally:
        await dialogue.close()
        recognisers.close()
        synthesizer.close()
        await audio.close()


def describe(record: Optional[CallRecord]) -> str:
    if record is None:
        return "The call ended."
    lines = [f"Call {record.call_id} ({record.language}):"]
    lines += [f"  you: {text}" for text in record.heard]
    lines.append("  handed over to a person" if record.handed_over else "  ended")
    return "\n".join(lines)
