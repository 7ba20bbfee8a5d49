"""Speech recognition: the `SpeechStream` interface (`base.py`) and its engines beside it (`vosk.py`)."""
