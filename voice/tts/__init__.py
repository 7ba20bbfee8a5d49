"""Speech out: the `Synthesizer` interface (base.py) and its espeak-ng implementation (espeak.py)."""
