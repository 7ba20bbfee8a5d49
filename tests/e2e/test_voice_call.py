"""Whole spoken calls against the real Rasa and action servers: caller audio in, the bot's synthesised voice out.

The caller's audio is real (espeak-ng speech and silence) and passes the real VAD and turn-taking;
what a Swedish recogniser would have heard is injected at the recogniser boundary, because no
Swedish Vosk model is installed here (tests/voice covers Vosk itself with a real model).
The bot's voice is the real pyttsx3 + espeak-ng synthesiser.
"""

from __future__ import annotations

import asyncio

import pytest

from bot import secrets
from tests.support.answers import said
from tests.support.speech import ScriptedRecognisers, espeak_speech
from tests.support.desk import DeskUser, add_user
from voice import settings as voice_settings
from voice import texts
from voice.asr.vosk import VoskModels
from voice.asr.whisper import WhisperModels
from voice.audio import pcm as pcm_audio
from voice.call import Call, CallRecord
from voice.dialogue import RasaDialogue
from voice.transports.scripted import AwaitBot, Press, Say, ScriptedCaller, Silence
from voice.tts.espeak import EspeakSynthesizer

pytestmark = pytest.mark.e2e

SETTINGS = voice_settings.default()


@pytest.fixture(scope="module")
def synthesizer():
    synthesizer = EspeakSynthesizer(SETTINGS.tts)
    yield synthesizer
    synthesizer.close()


@pytest.fixture(scope="module")
def agent(assistant, supervisor):
    return DeskUser(assistant, add_user(assistant, "Ola"))


def call(assistant, synthesizer, caller: ScriptedCaller, language: str, recognisers) -> CallRecord:
    async def run() -> CallRecord:
        dialogue = RasaDialogue(assistant.rasa_url, assistant.env[secrets.variable(secrets.VOICE_GATEWAY_TOKEN)])
        try:
            return await Call(caller, dialogue, synthesizer, SETTINGS, language, recognisers, caller="+4799999999").run()
        finally:
            await dialogue.close()

    return asyncio.run(run())


def said_in(record: CallRecord, variation) -> bool:
    return any(said({"text": line}, variation) for line in record.said)


def test_a_swedish_caller_says_a_tracking_number_and_hears_where_the_parcel_is(
    assistant, synthesizer, voice_responses, tmp_path
):
    question = espeak_speech("var är mitt paket, R R sju två noll fem noll fem fyra fyra nio S E", "sv", tmp_path)
    heard = "var är mitt paket är är sju två noll fem noll fem fyra fyra nio es e"
    caller = ScriptedCaller([AwaitBot(), Say(question), AwaitBot()])
    record = call(assistant, synthesizer, caller, "sv", ScriptedRecognisers("sv", [heard]))

    assert record.said[0] == voice_responses["utter_greet"]["sv"]["text"]  # the phone's greeting, not the chat's
    assert record.heard == ["/greet", "RR720505449SE"]  # spoken letters and digits became the number
    assert any("ICA Kvantum Liljeholmen" in line for line in record.said)
    assert all(finished for finished in caller.finished) and len(caller.heard) == len(record.said)
    for line, audio in zip(record.said, caller.heard):
        assert pcm_audio.rms(audio) > 300 and pcm_audio.duration_s(audio, 16000) > 0.5
    swedish, norwegian = (
        asyncio.run(synthesizer.synthesize(record.said[-1], language, 16000)) for language in ("sv", "nb")
    )
    assert caller.heard[-1] == swedish != norwegian  # spoken with the Swedish voice
    assert len(record.timings) == len(record.heard)  # every turn measured, for the benchmark


def test_a_caller_who_speaks_over_the_greeting_interrupts_it(assistant, synthesizer, tmp_path):
    question = espeak_speech("jag vill prata med en människa", "sv", tmp_path)
    caller = ScriptedCaller([Silence(0.6), Say(question), AwaitBot()])
    record = call(assistant, synthesizer, caller, "sv", ScriptedRecognisers("sv", ["jag vill prata med en människa"]))

    assert record.barge_ins == 1 and caller.finished[0] is False  # the greeting stopped when the caller spoke
    assert record.heard == ["/greet", "jag vill prata med en människa"]
    assert record.handed_over  # the bot queued the call for a person, and the call's dialogue ended


def test_a_norwegian_caller_without_a_norwegian_model_uses_the_keypad(
    assistant, synthesizer, voice_responses, tmp_path
):
    caller = ScriptedCaller([AwaitBot(), Press("370701234500000017#"), AwaitBot()])
    record = call(assistant, synthesizer, caller, "nb", VoskModels(SETTINGS, paths={}))

    assert record.said[:2] == [voice_responses["utter_greet"]["nb"]["text"], texts.text("keypad_only", "nb")]
    assert record.heard == ["/greet", "370701234500000017"]
    assert said_in(record, voice_responses["utter_shipment_in_transit"]["nb"])


def test_a_norwegian_caller_is_heard_by_whisper_and_is_not_sent_to_the_keypad(
    assistant, synthesizer, voice_responses, whisper_model_path, tmp_path
):
    """Whisper for Norwegian (a random-weight model): speech is offered; what it makes of noise never reaches Rasa."""
    question = espeak_speech("Hei, hvor er pakken min?", "nb", tmp_path)
    caller = ScriptedCaller([AwaitBot(), Say(question), AwaitBot()])
    recognisers = WhisperModels(SETTINGS, paths={"nb": whisper_model_path})
    try:
        record = call(assistant, synthesizer, caller, "nb", recognisers)
    finally:
        recognisers.close()

    assert record.said[0] == voice_responses["utter_greet"]["nb"]["text"]
    assert texts.text("keypad_only", "nb") not in record.said  # the greeting no longer says speech is unsupported
    assert record.heard == ["/greet"]  # the random model's words were dropped as unsure, not sent to the bot
    assert record.said[-1] == texts.text("no_match", "nb")  # the caller is asked again at once


def test_a_silent_caller_is_asked_again_and_then_handed_to_a_person(assistant, synthesizer, agent):
    recognisers = ScriptedRecognisers("sv", [])
    caller = ScriptedCaller([Silence(60)])
    record = call(assistant, synthesizer, caller, "sv", recognisers)

    still_there = texts.text("no_input", "sv")
    assert record.said.count(still_there) == SETTINGS.turn.max_no_input
    assert record.heard == ["/greet", "/request_human"] and record.handed_over
    assert recognisers.streams[0].audio_bytes == 0  # silence never reached the recogniser
    waiting = agent.handoff_of(record.call_id)
    assert waiting["language"] == "sv" and waiting["reason"] == "caller_silent"  # counted as such at the desk
