"""The trained extractor model: which metric a candidate number is, and how sure that is.

The model is data (etl/trained/extractor.npz, made by `make train`, see
etl/learn/): a multinomial logistic regression over hashed features
(etl/features.py), stored as the rows of its weight matrix that training ever
used, plus a small calibrator that turns the classifier's view of a fact into
the probability that the fact is exactly right (value, metric, year, period,
region), and the thresholds chosen on cross-validation.  Only numpy runs here:
no scikit-learn and no network at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from etl.body import N_BODY_FEATURES
from etl.features import N_FEATURES

MODEL_PATH = Path(__file__).parent / "trained" / "extractor.npz"
NONE = "none"


@dataclass
class Model:
    """Weights and thresholds; `classes[0]` is NONE."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (N_FEATURES, K) float32
    bias: np.ndarray  # (K,)
    emit: float  # a reading the cue rules share becomes a fact from this probability on
    calib: np.ndarray  # calibrator coefficients over calibration_features(); last entry is the intercept
    review: float  # facts whose confidence is below this go to review, not to a chart
    meta: dict
    body: np.ndarray | None = None  # weights of the reporting-body ranker (etl/body.py), N_BODY_FEATURES
    emit_alone: float = 0.5  # a reading the cue rules do not share needs this probability

    def predict(self, rows: list[np.ndarray]) -> np.ndarray:
        """Class probabilities, one row per candidate (rows: hashed feature indexes)."""
        if not rows:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        flat = np.concatenate(rows) if lengths.sum() else np.zeros(0, dtype=np.int32)
        logits = np.zeros((len(rows), len(self.classes)), dtype=np.float32)
        nz = lengths > 0
        if flat.size:
            offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
            logits[nz] = np.add.reduceat(self.weights[flat], offsets[nz], axis=0)
        logits += self.bias
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def confidence(self, x: np.ndarray) -> np.ndarray:
        """Probability that facts with calibration features `x` (n × m) are exactly right."""
        z = x @ self.calib[:-1] + self.calib[-1]
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path = MODEL_PATH) -> None:
        """Only the weight rows that are not all zero are written (a few MB, not 20)."""
        used = np.flatnonzero(np.abs(self.weights).sum(axis=1) > 0).astype(np.int32)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            np.savez_compressed(
                f, classes=np.array(self.classes), rows=used, weights=self.weights[used].astype(np.float16),
                bias=self.bias.astype(np.float32), emit=np.float32(self.emit), calib=self.calib.astype(np.float32),
                review=np.float32(self.review), emit_alone=np.float32(self.emit_alone),
                meta=np.array(json.dumps(self.meta, ensure_ascii=False, sort_keys=True)),
                body=(self.body if self.body is not None else np.zeros(N_BODY_FEATURES)).astype(np.float16))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Model:
        with np.load(path, allow_pickle=False) as z:
            weights = np.zeros((N_FEATURES, len(z["classes"])), dtype=np.float32)
            weights[z["rows"]] = z["weights"].astype(np.float32)
            return cls(tuple(str(c) for c in z["classes"]), weights, z["bias"], float(z["emit"]), z["calib"],
                       float(z["review"]), json.loads(str(z["meta"])), z["body"].astype(np.float32),
                       float(z["emit_alone"]))


@cache
def shipped_model() -> Model | None:
    """The model shipped with the code, or None when it has not been trained yet."""
    return Model.load() if MODEL_PATH.exists() else None
