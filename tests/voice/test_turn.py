"""Turn-taking on real speech with the real gate and recogniser: when a caller starts, finishes or says nothing."""

import asyncio
import dataclasses
from typing import List, Optional, Tuple

import numpy as np

from voice.asr.base import Recognition
from voice.asr.vosk import VoskModels, VoskStream
from voice.audio import pcm
from voice.settings import TurnSettings, VoiceSettings
from voice.turn import CallerFinished, CallerStarted, NoInput, TurnDetector, TurnEvent
from voice.vad.webrtc import SpeechGate


class RecordingStream:
    """A real Vosk stream that also notes what reaches it, to show what the gate keeps away."""

    def __init__(self, stream: VoskStream) -> None:
        self.stream = stream
        self.accepted: List[int] = []  # bytes per call
        self.finished = 0

    async def accept(self, audio: bytes) -> Optional[Recognition]:
        self.accepted.append(len(audio))
        return await self.stream.accept(audio)

    async def finish(self) -> Recognition:
        self.finished += 1
        return await self.stream.finish()

    def reset(self) -> None:
        self.stream.reset()


class Call:
    """One caller's line: the detector with its recogniser, and a clock counted in frames."""

    def __init__(self, settings: VoiceSettings, recogniser: RecordingStream, turn: TurnSettings) -> None:
        self.settings = settings
        self.recogniser = recogniser
        gate = SpeechGate(settings.vad, settings.sample_rate, settings.frame_ms)
        self.detector = TurnDetector(gate, recogniser, turn)
        self.frames = 0

    @classmethod
    async def start(cls, settings: VoiceSettings, models: VoskModels, turn: Optional[TurnSettings] = None) -> "Call":
        return cls(settings, RecordingStream(await models.stream("ko")), turn or settings.turn)

    async def hear(self, audio: bytes) -> List[Tuple[int, TurnEvent]]:
        """Events with the frame (since the call began) that caused them."""
        events = []
        for frame in pcm.frames(audio, self.settings.sample_rate, self.settings.frame_ms):
            event = await self.detector.push(frame)
            if event is not None:
                events.append((self.frames, event))
            self.frames += 1
        return events

    def silence(self, seconds: float) -> bytes:
        return pcm.silence(round(seconds * 1000), self.settings.sample_rate)

    def frames_in(self, seconds: float) -> int:
        return round(seconds * 1000 / self.settings.frame_ms)


def kinds(events: List[Tuple[int, TurnEvent]]) -> List[type]:
    return [type(event) for _, event in events]


def test_caller_answers_the_prompt_and_the_turn_ends_after_their_last_word(voice_settings, korean_models, short_clips):
    clip = short_clips[1]

    async def main():
        call = await Call.start(voice_settings, korean_models)
        call.detector.expect_input()
        events = await call.hear(clip.padded(voice_settings.sample_rate, 1.0) + call.silence(1.0))
        return call, events

    call, events = asyncio.run(main())
    assert kinds(events) == [CallerStarted, CallerFinished]
    (started, _), (finished, turn) = events
    assert isinstance(turn.text, str)
    speech_end = call.frames_in(1.0 + clip.seconds)
    trailing = call.frames_in(voice_settings.vad.trailing_silence_ms / 1000)
    assert call.frames_in(1.0) < started and finished <= speech_end + trailing + call.frames_in(0.1)
    padding = call.frames_in(voice_settings.vad.padding_ms / 1000)
    # the recogniser got exactly the gate's audio: the padding and the turn, then one forced final
    assert sum(call.recogniser.accepted) == (padding + finished - started + 1) * voice_settings.frame_bytes
    assert call.recogniser.finished == 1


def test_a_silent_caller_gets_no_input_once_and_costs_no_decoding(voice_settings, korean_models):
    hiss = np.random.default_rng(0).normal(0, 100, 3 * voice_settings.sample_rate).astype("<i2").tobytes()

    async def main():
        call = await Call.start(voice_settings, korean_models)
        call.detector.expect_input()
        events = await call.hear(hiss + call.silence(voice_settings.turn.no_input_timeout_s * 2))
        return call, events

    call, events = asyncio.run(main())
    assert events == [(call.frames_in(voice_settings.turn.no_input_timeout_s) - 1, NoInput())]
    assert call.recogniser.accepted == [] and call.recogniser.finished == 0


def test_silence_while_the_bot_speaks_is_not_no_input(voice_settings, korean_models):
    async def main():
        call = await Call.start(voice_settings, korean_models)
        return await call.hear(call.silence(voice_settings.turn.no_input_timeout_s * 2))

    assert asyncio.run(main()) == []


def test_the_timer_restarts_when_the_bot_has_spoken_again(voice_settings, korean_models):
    timeout = voice_settings.turn.no_input_timeout_s

    async def main():
        call = await Call.start(voice_settings, korean_models)
        call.detector.expect_input()
        before = await call.hear(call.silence(timeout * 0.8))
        call.detector.expect_input()  # the bot said something else meanwhile
        restarted_at = call.frames
        after = await call.hear(call.silence(timeout))
        return call, before, restarted_at, after

    call, before, restarted_at, after = asyncio.run(main())
    assert before == [] and after == [(restarted_at + call.frames_in(timeout) - 1, NoInput())]


def test_a_caller_who_speaks_is_not_asked_again(voice_settings, korean_models, short_clips):
    async def main():
        call = await Call.start(voice_settings, korean_models)
        call.detector.expect_input()
        audio = short_clips[0].padded(voice_settings.sample_rate, 1.0)
        return await call.hear(audio + call.silence(voice_settings.turn.no_input_timeout_s * 1.5))

    assert kinds(asyncio.run(main())) == [CallerStarted, CallerFinished]


def test_two_answers_with_a_pause_between_are_two_turns(voice_settings, korean_models, short_clips):
    async def main():
        call = await Call.start(voice_settings, korean_models)
        rate = voice_settings.sample_rate
        return await call.hear(short_clips[0].padded(rate, 1.0) + short_clips[1].padded(rate, 1.0))

    assert kinds(asyncio.run(main())) == [CallerStarted, CallerFinished, CallerStarted, CallerFinished]


def test_a_turn_longer_than_the_limit_is_cut_and_the_rest_of_it_dropped(voice_settings, korean_models, short_clips):
    turn = dataclasses.replace(voice_settings.turn, max_turn_s=1.0)
    rate = voice_settings.sample_rate

    async def main():
        call = await Call.start(voice_settings, korean_models, turn)
        long_turn = await call.hear(short_clips[-1].padded(rate, 1.0))
        decoded = len(call.recogniser.accepted)
        next_turn = await call.hear(short_clips[0].padded(rate, 1.0))
        return call, long_turn, decoded, next_turn

    call, long_turn, decoded, next_turn = asyncio.run(main())
    assert kinds(long_turn) == [CallerStarted, CallerFinished]
    (started, _), (cut, _) = long_turn
    assert cut - started + 1 == call.frames_in(1.0) == decoded  # nothing after the cut was decoded
    assert kinds(next_turn) == [CallerStarted, CallerFinished]  # the next answer is heard as usual
