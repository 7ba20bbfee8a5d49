"""Audio as the pipeline carries it: 16-bit mono PCM bytes, and the helpers to convert and frame it."""
