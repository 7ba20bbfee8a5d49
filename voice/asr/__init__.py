"""Speech recognition: the `SpeechStream` and `Recognisers` interfaces (`base.py`), the engines beside them
(`vosk.py`, `whisper.py`), and `engines.py`, which gives each language the engine voice/config.yml names."""
