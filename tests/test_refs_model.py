"""The data behind the labeller: real strings with their pages, a frozen evaluation split never
trained on, and a shipped model trained on the current training data."""

from __future__ import annotations

import json
from pathlib import Path

from kb.refs.annotations import LABELS, parse_marked, read_annotated
from kb.refs.labeller import MANIFEST_PATH, MODEL_PATH
from kb.refs.training import TRAIN_FILES, data_hash

ROOT = Path(__file__).resolve().parent.parent
REFS = ROOT / "bench" / "refs"


def test_every_real_string_names_its_page_and_parses():
    for name in ("train.refs", "dev.refs", "eval.refs", "seed.refs"):
        for ref in read_annotated(REFS / name):
            assert ref.page.startswith(("http://", "https://")), (name, ref.line)
            assert ref.lang in ("ru", "en", "mixed") and ref.style in (
                "gost",
                "apa",
                "chicago",
                "harvard",
                "vancouver",
                "translit",
                "other",
            )
            assert {s.label for s in ref.spans} <= set(LABELS)
            assert "title" in {s.label for s in ref.spans}, (name, ref.line)


def test_at_least_300_real_strings_and_the_evaluation_strings_are_never_trained_or_tuned_on():
    train = read_annotated(REFS / "train.refs")
    dev = read_annotated(REFS / "dev.refs")
    evaluation = read_annotated(REFS / "eval.refs") + read_annotated(REFS / "seed.refs")
    everything = train + dev + evaluation
    assert len(everything) >= 300
    assert sum(r.lang == "ru" and r.style == "gost" for r in everything) >= 0.4 * len(everything)
    for one, other in ((train, evaluation), (dev, evaluation), (train, dev)):
        assert not {r.text for r in one} & {r.text for r in other}
        assert not {r.page for r in one if "anystyle" not in r.page} & {r.page for r in other}
    assert dev and all(r.second_pass for r in dev)  # the dev split exists from the second pass on


def test_cite_this_article_lines_are_marked_and_kept_out_of_the_figures():
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    from refparse_quality import evaluate

    evaluation = read_annotated(REFS / "eval.refs")
    marked = [r for r in evaluation if r.cite_line]
    assert marked and all("creativeconomy" in r.page or "cyberleninka" in r.page for r in marked)
    result = evaluate(evaluation[:20] + marked, method="rules")
    assert result["n"] == 20
    assert result["targets"]["journals' 'cite this article' lines (not in the figures above)"]["n"] == len(marked)


def test_the_shipped_model_was_trained_on_the_current_training_data():
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert MODEL_PATH.is_file()
    assert manifest["data_sha256"] == data_hash(list(TRAIN_FILES)), (
        "bench/refs/train.refs or dev.refs changed: retrain with `python -m kb.refs.training`"
    )


def test_marked_strings_refuse_bad_markup():
    import pytest

    for bad in ("<title>open", "<title>a</container>", "<bogus>x</bogus>", "<title><year>1</year></title>"):
        with pytest.raises(ValueError):
            parse_marked(bad, "x")
