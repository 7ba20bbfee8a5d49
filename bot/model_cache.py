"""Train the Rasa model only when something that shapes it has changed.

The model file is named by a hash of its inputs (config, domain, training data
and our own NLU components), so `make run` and `make test` reuse a trained model
and a stale one can never be picked up by mistake.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List

from bot import project

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).resolve().parent
# Besides the pipeline config itself: the domain, the training data, and the code
# our NLU components run (keep in step with the imports of bot/nlu).
MODEL_INPUTS = [
    project.DOMAIN,
    project.DATA,
    PACKAGE / "nlu",
    PACKAGE / "understanding",  # the parcel-intent and said-outright components read with the fact reader
    PACKAGE / "language" / "detector.py",
    PACKAGE / "identifiers",
    PACKAGE / "knowledge.py",
    project.ROOT / "knowledge",  # the service-topic component trains from the knowledge base's questions
]


def _files(paths: Iterable[Path]) -> List[Path]:
    files: List[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.exists():
            files.append(path)
    return sorted(files)


def inputs_hash(config: Path = project.CONFIG) -> str:
    """Hash of every file that goes into the model, with paths relative to the project."""
    digest = hashlib.sha256()
    for file in _files([config, *MODEL_INPUTS]):
        digest.update(str(file.relative_to(project.ROOT)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_path(config: Path = project.CONFIG) -> Path:
    return project.MODELS / f"kundesenter-{config.stem}-{inputs_hash(config)}.tar.gz"


def ensure_model(config: Path = project.CONFIG) -> Path:
    """The trained model for the current inputs, training it first if it is missing."""
    path = model_path(config)
    if path.exists():
        logger.info("Model is up to date: %s", path.name)
        return path
    project.MODELS.mkdir(parents=True, exist_ok=True)
    print(f"Training model {path.name} (the data or config changed) ...", flush=True)
    subprocess.run(
        [
            sys.executable, "-m", "rasa", "train",
            "--config", str(config),
            "--domain", str(project.DOMAIN),
            "--data", str(project.DATA),
            "--out", str(project.MODELS),
            "--fixed-model-name", path.name[: -len(".tar.gz")],
        ],
        cwd=project.ROOT,
        check=True,
    )
    for stale in project.MODELS.glob(f"kundesenter-{config.stem}-*.tar.gz"):
        if stale != path:
            stale.unlink()
    return path
