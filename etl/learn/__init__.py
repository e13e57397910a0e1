"""Training and cross-validating the report extractor (`make train`, `make score-cv`).

Only this package imports scikit-learn; extraction at run time uses the saved
weights with numpy (etl/classifier.py).  The stages, each callable alone:
- corpus: the annotated documents (data/corpus, data/samples; the shared dev
  set and seeds only for evaluation), each with the group it must stay in;
- align: which candidate numbers the gold facts are (the training labels);
- fit: the classifier, then a calibrator and thresholds from cross-validated
  predictions inside the training documents;
- evaluate: scoring by the conventions of ../shared/eval/score.py, and
  cross-validation grouped by source.
"""
