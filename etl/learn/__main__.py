"""python -m etl.learn train | cv — train the shipped extractor model, or cross-validate it.

    python -m etl.learn train            # data/corpus + data/samples → etl/trained/extractor.npz
    python -m etl.learn cv               # 5-fold CV grouped by source page's host; table of P, R, exact, charted
    python -m etl.learn cv --misses      # … and every missed and spurious fact
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from sklearn.model_selection import GroupKFold

from etl.classifier import MODEL_PATH
from etl.learn.align import PreparedDoc, prepare
from etl.learn.corpus import AnnotatedDoc, load
from etl.learn.evaluate import Tally, format_table, split_by_category
from etl.learn.fit import FitConfig, fit, main_region, predict_doc

TRAIN_SETS = ["corpus", "samples"]


def prepared(names: list[str], jobs: int = 2) -> list[PreparedDoc]:
    docs: list[AnnotatedDoc] = load(names)
    if jobs <= 1:
        return [prepare(d) for d in docs]
    with ProcessPoolExecutor(jobs) as ex:
        return list(ex.map(prepare, docs, chunksize=8))


def train(cfg: FitConfig, jobs: int) -> int:
    docs = prepared(TRAIN_SETS, jobs)
    model = fit(docs, cfg)
    model.save(MODEL_PATH)
    print(f"trained on {len(docs)} documents → {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e6:.2f} MB)")
    print(" ".join(f"{k}={v}" for k, v in sorted(model.meta.items())))
    return 0


def cross_validate(cfg: FitConfig, folds: int, jobs: int, misses: bool) -> int:
    docs = prepared(TRAIN_SETS, jobs)
    real = [d for d in docs if d.doc.set == "corpus"]
    extra = [d for d in docs if d.doc.set != "corpus"]
    held = prepared(["dev", "seeds"], jobs)
    rows: dict[str, Tally] = {"ALL (corpus CV)": Tally(), "ALL, body named": Tally()}
    by_cat: dict[str, Tally] = {}
    by_kind: dict[str, Tally] = {}
    splitter = GroupKFold(n_splits=folds)
    groups = [d.doc.group for d in real]
    for k, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(real)), groups=groups), 1):
        model = fit([real[i] for i in train_idx] + extra, cfg)
        print(f"fold {k}/{folds}: emit {model.emit}/{model.emit_alone}, review {model.review}", file=sys.stderr)
        for i in test_idx:
            d = real[i]
            facts = [f for f, _ in predict_doc(d, model)]
            rows["ALL (corpus CV)"].add(facts, d.doc.gold, d.doc.name)
            # As staff load reports: the uploader names the body (the gold's main region).
            rows["ALL, body named"].add([f for f, _ in predict_doc(d, model, main_region(d))], d.doc.gold)
            by_kind.setdefault(f"kind:{d.doc.kind}", Tally()).add(facts, d.doc.gold, d.doc.name)
            for cat, (fs, gs) in split_by_category(facts, d.doc.gold).items():
                by_cat.setdefault(f"cat:{cat}", Tally()).add(fs, gs)
    final = fit(docs, cfg)
    for name in ("dev", "seeds"):
        t = Tally()
        for d in (x for x in held if x.doc.set == name):
            t.add([f for f, _ in predict_doc(d, final)], d.doc.gold, d.doc.name)
        if t.gold:
            rows[f"{name} (held out)"] = t
    table = {**{n: t.row() for n, t in rows.items()}, **{n: t.row() for n, t in sorted(by_cat.items())},
             **{n: t.row() for n, t in sorted(by_kind.items())}}
    print(format_table(table))
    print(f"\n{len(real)} corpus documents in {len(set(groups))} source groups, {folds} folds; "
          f"{len(extra)} sample documents always in training. Unreachable gold facts (no candidate): "
          f"{sum(len(d.unreachable) for d in real)}")
    if misses:
        print("\n".join(rows["ALL (corpus CV)"].misses))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.learn", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["train", "cv"])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--C", type=float, default=FitConfig.C)
    ap.add_argument("--misses", action="store_true")
    args = ap.parse_args(argv)
    cfg = FitConfig(C=args.C)
    if args.command == "train":
        return train(cfg, args.jobs)
    return cross_validate(cfg, args.folds, args.jobs, args.misses)


if __name__ == "__main__":
    sys.exit(main())
