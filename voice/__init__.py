"""The voicebot: speech in (Vosk), speech out (pyttsx3 + espeak-ng), turn-taking, transports and the call loop.

Split by concern like pipecat's audio package: `asr/`, `tts/`, `vad/`, `transports/`,
`spoken/` (spoken numbers and codes), with `call.py` tying them into one call.
"""
