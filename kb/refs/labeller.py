"""The sequence labeller: a linear-chain CRF (python-crfsuite) over the tokens of one reference.

The model ships with the package (`kb/refs/model/refs.crfsuite`, a few hundred KB), trained by
`python -m kb.refs.training` from the annotated training strings; its manifest records the hash
of the data it was trained on, so a stale model is detected (tests/test_refs_model.py).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from kb.refs.annotations import AnnotatedReference
from kb.refs.features import token_features
from kb.refs.skeleton import analyse
from kb.refs.tokens import Token, tokenize

MODEL_DIR = Path(__file__).parent / "model"
MODEL_PATH = MODEL_DIR / "refs.crfsuite"
MANIFEST_PATH = MODEL_DIR / "manifest.json"


def token_labels(reference: AnnotatedReference, tokens: list[Token]) -> list[str]:
    """Each token's gold label: the span it falls in, else "O" (punctuation and keywords)."""
    labels = []
    for token in tokens:
        label = "O"
        for span in reference.spans:
            if token.start < span.end and span.start < token.end:
                label = span.label
                break
        labels.append(label)
    return labels


class Labeller:
    def __init__(self, model_path: Path = MODEL_PATH, with_skeleton: bool = True):
        import pycrfsuite

        if not Path(model_path).is_file():
            from kb.errors import KbError

            raise KbError(f"no reference-parsing model at {model_path}; train one with `python -m kb.refs.training`")
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(model_path))
        self.labels = self.tagger.labels()
        self.with_skeleton = with_skeleton

    def tag(self, tokens: list[Token]) -> tuple[list[str], list[float]]:
        """Labels and, per token, the marginal probability of its label (the confidence)."""
        if not tokens:
            return [], []
        self.tagger.set(token_features(tokens, analyse(tokens), self.with_skeleton))
        labels = self.tagger.tag()
        return labels, [self.tagger.marginal(label, i) for i, label in enumerate(labels)]


@lru_cache(maxsize=2)
def default_labeller() -> Labeller:
    return Labeller()


def train(
    references: list[AnnotatedReference],
    model_path: Path,
    with_skeleton: bool = True,
    c1: float = 0.05,
    c2: float = 0.01,
    max_iterations: int = 150,
    manifest: dict | None = None,
) -> Path:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for reference in references:
        tokens = tokenize(reference.text)
        trainer.append(token_features(tokens, analyse(tokens), with_skeleton), token_labels(reference, tokens))
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iterations, "feature.possible_transitions": True})
    model_path = Path(model_path)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))
    if manifest is not None:
        (model_path.parent / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return model_path
