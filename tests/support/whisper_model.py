"""A Whisper model with random weights, made offline with numpy and CTranslate2 (no torch, nothing downloaded).

It has the real vocabulary, special tokens and file layout of a CTranslate2 Whisper directory
(`model.bin`, `config.json`, `vocabulary.json`, `tokenizer.json`, `preprocessor_config.json`), so
faster-whisper loads and decodes it exactly as it does NB-Whisper or KB-Whisper. At the real
tiny/base/small dimensions it costs the same compute as the real models, which is what the
benchmark needs; its words are nonsense, so tests assert behaviour, never transcripts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

import numpy as np
from ctranslate2.specs import common_spec, transformer_spec, whisper_spec
from faster_whisper.tokenizer import _LANGUAGE_CODES

N_MELS = 80
AUDIO_POSITIONS = 1500  # encoder positions of a 30 s window
TEXT_POSITIONS = 448
TEXT_TOKENS = 50257  # byte-level BPE tokens before <|endoftext|> in the multilingual vocabulary
TIMESTAMPS = 1501  # <|0.00|> .. <|30.00|>
# Every language of the 51,865-token vocabulary (large-v3 added "yue"); the order does not matter for random weights
LANGUAGES = sorted(set(_LANGUAGE_CODES) - {"yue"})
SPECIALS_BEFORE_LANGUAGES = ["<|endoftext|>", "<|startoftranscript|>"]
SPECIALS_AFTER_LANGUAGES = [
    "<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>",
]  # fmt: skip


@dataclass(frozen=True)
class Size:
    """Transformer dimensions: `tiny`, `base` and `small` are OpenAI's, which NB- and KB-Whisper keep."""

    width: int
    heads: int
    encoder_layers: int
    decoder_layers: int


SIZES: Dict[str, Size] = {
    "micro": Size(64, 2, 1, 1),  # for tests: builds in a fraction of a second, decodes in tens of milliseconds
    "tiny": Size(384, 6, 4, 4),
    "base": Size(512, 8, 6, 6),
    "small": Size(768, 12, 12, 12),
}


def vocabulary() -> List[str]:
    """51,865 tokens; the empty string stands in for one unused text token.

    CTranslate2 >= 4.7 calls a model multilingual only when its vocabulary holds the empty-string
    token (OpenNMT/CTranslate2#2000); without it faster-whisper silently decodes English.
    """
    byte_tokens = [_byte_symbol(value) for value in range(256)]
    fillers = [f"t{index}" for index in range(len(byte_tokens), TEXT_TOKENS - 1)]
    languages = [f"<|{code}|>" for code in LANGUAGES]
    specials = SPECIALS_BEFORE_LANGUAGES + languages + SPECIALS_AFTER_LANGUAGES
    timestamps = [f"<|{index * 0.02:.2f}|>" for index in range(TIMESTAMPS)]
    return byte_tokens + fillers + [""] + specials + timestamps


def build(directory: Path, size: str = "micro", seed: int = 0) -> Path:
    """Writes a loadable random-weight model of `size` into `directory` (created) and returns it."""
    dims = SIZES[size]
    rng = np.random.default_rng(seed)
    tokens = vocabulary()
    spec = whisper_spec.WhisperSpec(dims.encoder_layers, dims.heads, dims.decoder_layers, dims.heads)
    _fill_encoder(spec.encoder, dims, rng)
    _fill_decoder(spec.decoder, dims, len(tokens), rng)
    spec.register_vocabulary(tokens)
    ids = {token: index for index, token in enumerate(tokens)}
    spec.config.suppress_ids = []
    spec.config.suppress_ids_begin = [ids["<|endoftext|>"]]
    spec.config.lang_ids = [ids[f"<|{code}|>"] for code in LANGUAGES]
    spec.config.alignment_heads = [(dims.decoder_layers - 1, head) for head in range(dims.heads)]
    spec.validate()
    spec.optimize("int8")
    directory.mkdir(parents=True, exist_ok=True)
    spec.save(str(directory))
    _write_tokenizer(directory / "tokenizer.json", tokens)
    _write_preprocessor(directory / "preprocessor_config.json")
    return directory


def _weights(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Small values, so activations stay finite through the layers as in a trained model."""
    return (rng.standard_normal(shape) * 0.02).astype(np.float32)


def _norm(spec: common_spec.LayerNormSpec, width: int) -> None:
    spec.gamma = np.ones(width, dtype=np.float32)
    spec.beta = np.zeros(width, dtype=np.float32)


def _linear(spec: common_spec.LinearSpec, rng: np.random.Generator, outputs: int, inputs: int) -> None:
    spec.weight = _weights(rng, outputs, inputs)
    spec.bias = _weights(rng, outputs)


def _attention(
    spec: transformer_spec.MultiHeadAttentionSpec, width: int, rng: np.random.Generator, cross: bool
) -> None:
    """CTranslate2 fuses the projections: q|k|v in one matrix for self-attention, q and k|v for cross-attention."""
    _norm(spec.layer_norm, width)
    if cross:
        _linear(spec.linear[0], rng, width, width)
        _linear(spec.linear[1], rng, 2 * width, width)
    else:
        _linear(spec.linear[0], rng, 3 * width, width)
    _linear(spec.linear[-1], rng, width, width)


def _feed_forward(spec: transformer_spec.FeedForwardSpec, width: int, rng: np.random.Generator) -> None:
    _norm(spec.layer_norm, width)
    _linear(spec.linear_0, rng, 4 * width, width)
    _linear(spec.linear_1, rng, width, 4 * width)


def _fill_encoder(spec: whisper_spec.WhisperEncoderSpec, dims: Size, rng: np.random.Generator) -> None:
    width = dims.width
    spec.conv1.weight, spec.conv1.bias = _weights(rng, width, N_MELS, 3), _weights(rng, width)
    spec.conv2.weight, spec.conv2.bias = _weights(rng, width, width, 3), _weights(rng, width)
    spec.position_encodings.encodings = _weights(rng, AUDIO_POSITIONS, width)
    _norm(spec.layer_norm, width)
    for layer in spec.layer:
        _attention(layer.self_attention, width, rng, cross=False)
        _feed_forward(layer.ffn, width, rng)


def _fill_decoder(spec: transformer_spec.TransformerDecoderSpec, dims: Size, vocabulary_size: int, rng) -> None:
    width = dims.width
    spec.embeddings.weight = _weights(rng, vocabulary_size, width)
    spec.position_encodings.encodings = _weights(rng, TEXT_POSITIONS, width)
    _norm(spec.layer_norm, width)
    spec.projection.weight = spec.embeddings.weight  # tied, as in Whisper
    for layer in spec.layer:
        _attention(layer.self_attention, width, rng, cross=False)
        _attention(layer.attention, width, rng, cross=True)
        _feed_forward(layer.ffn, width, rng)


def _byte_symbol(value: int) -> str:
    """GPT-2's byte-to-unicode mapping, which Whisper's byte-level BPE uses for its first 256 tokens."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    if value in printable:
        return chr(value)
    return chr(256 + sorted(set(range(256)) - set(printable)).index(value))


def _write_tokenizer(path: Path, tokens: List[str]) -> None:
    """A byte-level BPE without merges: it encodes prompts byte by byte and decodes every token id.

    The tokenizers library numbers added tokens after the last text token whatever ids they are
    given, so the empty string's slot gets a filler name here to keep the special tokens' ids.
    """
    text_tokens = {token or f"t{index}": index for index, token in enumerate(tokens[:TEXT_TOKENS])}
    special = [
        {"id": index, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
         "normalized": False, "special": True}
        for index, token in enumerate(tokens) if index >= TEXT_TOKENS
    ]  # fmt: skip
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": special,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "vocab": text_tokens, "merges": []},
    }  # fmt: skip
    path.write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")


def _write_preprocessor(path: Path) -> None:
    """The log-mel front end of every tiny..large-v2 Whisper: 80 mels, 25 ms windows every 10 ms, 30 s chunks."""
    config = {
        "feature_extractor_type": "WhisperFeatureExtractor",
        "feature_size": N_MELS,
        "sampling_rate": 16000,
        "hop_length": 160,
        "n_fft": 400,
        "chunk_length": 30,
        "n_samples": 480000,
        "nb_max_frames": 3000,
        "padding_side": "right",
        "padding_value": 0.0,
        "return_attention_mask": False,
        "processor_class": "WhisperProcessor",
    }
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")
