"""`nlu-eval` reports how accuracy holds under phone typing and what each confidence strategy answers."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.config import load_config
from bot.nlu.evaluate import main, robustness
from bot.nlu.model import NluModel
from bot.nlu.perturb import PERTURBATIONS
from bot.nlu.training_data import Example, TrainingData

TOPICS = {
    "password_rules": [
        "regles du mot de passe",
        "combien de caracteres pour le mot de passe",
        "mot de passe trop faible",
        "il faut une majuscule dans le mot de passe",
        "le mot de passe doit contenir un chiffre ?",
        "quelles sont les regles pour le mot de passe",
        "mot de passe pas assez fort",
        "longueur minimale du mot de passe",
        "caracteres speciaux obligatoires dans le mot de passe",
        "criteres de securite du mot de passe",
    ],
    "link_expired": [
        "le lien a expire",
        "mon lien de validation est perime",
        "le lien ne marche plus",
        "lien expire que faire",
        "le lien du mail n'est plus valable",
        "j'ai clique trop tard sur le lien",
        "le lien de confirmation a expire",
        "le lien est trop vieux",
        "lien plus valide",
        "quand je clique sur le lien ca dit expire",
    ],
    "greet": [
        "bonjour",
        "salut",
        "bonsoir",
        "coucou",
        "bonjour madame",
        "salut tout le monde",
        "bonjour a vous",
        "hello",
        "bonjour le support",
        "coucou le bot",
    ],
}
HELDOUT = {
    "password_rules": [
        "c'est quoi les regles pour un mot de passe",
        "mon mot de passe doit faire combien de caracteres",
    ],
    "link_expired": ["mon lien a expire", "le lien de validation ne fonctionne plus"],
    "greet": ["bonjour a tous", "salut le support"],
}


def _write(path: Path, intents: dict[str, list[str]]) -> None:
    blocks = [
        f"  - intent: {name}\n    examples: |\n" + "".join(f"      - {t}\n" for t in texts)
        for name, texts in intents.items()
    ]
    path.write_text('version: "3.1"\nnlu:\n' + "".join(blocks), encoding="utf-8")


def test_robustness_rows_give_each_perturbation_and_its_drop() -> None:
    data = TrainingData([Example(t, i) for i, texts in TOPICS.items() for t in texts])
    heldout = [Example(t, i) for i, texts in HELDOUT.items() for t in texts]
    rows = robustness(NluModel.train(data), heldout, seeds=(0, 1))
    assert [r.name for r in rows] == ["as typed", *PERTURBATIONS]
    clean = rows[0].accuracy
    for row in rows[1:]:
        assert row.drop == pytest.approx(round((clean - row.accuracy) * 100, 1))


def test_nlu_eval_prints_and_writes_the_robustness_and_confidence_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "knowledge").mkdir()
    _write(tmp_path / "knowledge" / "nlu.yml", TOPICS)
    _write(tmp_path / "heldout.yml", HELDOUT)
    config = load_config().model_copy(update={"root": tmp_path})
    args = argparse.Namespace(folds=3, heldout=str(tmp_path / "heldout.yml"), classifier="logreg", report="report.md")
    assert main(config, args, [tmp_path / "knowledge" / "nlu.yml"]) == 0
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report in capsys.readouterr().out
    assert "## Robustness (held-out utterances, perturbed)" in report
    for name in PERTURBATIONS:
        row = next(line for line in report.splitlines() if line.startswith(f"| {name} |"))
        accuracy, drop = row.strip("| ").split(" | ")[1:]
        assert 0 <= float(accuracy) <= 1 and drop[0] in "+-"
    assert "## Confidence strategies" in report
    for strategy in ("absolute", "margin", "per_intent"):
        assert f"| {strategy} |" in report
    assert "per_intent_thresholds:" in report


def test_nlu_eval_reports_the_held_out_gain_of_a_review_file_and_refuses_one_holding_a_held_out_utterance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "knowledge").mkdir()
    _write(tmp_path / "knowledge" / "nlu.yml", TOPICS)
    _write(tmp_path / "heldout.yml", HELDOUT)
    review = tmp_path / "review.yml"
    _write(review, {"link_expired": ["le lien a expiré depuis hier soir", "lien mort"]})
    config = load_config().model_copy(update={"root": tmp_path})
    args = argparse.Namespace(
        folds=3, heldout=str(tmp_path / "heldout.yml"), classifier="logreg", report="report.md", review=[str(review)]
    )
    assert main(config, args, [tmp_path / "knowledge" / "nlu.yml"]) == 0
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Gain of the taught examples (review.yml)" in report
    without = next(line for line in report.splitlines() if line.startswith("| without the 2 taught examples |"))
    with_them = next(line for line in report.splitlines() if line.startswith("| with them |"))
    before, after = float(without.split(" | ")[1]), float(with_them.split(" | ")[1])
    assert f"- gain: **{round((after - before) * 100, 1) + 0.0:+.1f} points** of held-out accuracy" in report

    _write(review, {"link_expired": ["lien mort", "Mon lien a expiré"]})  # a held-out utterance, accents aside
    capsys.readouterr()
    assert main(config, args, [tmp_path / "knowledge" / "nlu.yml"]) == 2
    assert "'Mon lien a expiré' is a held-out utterance" in capsys.readouterr().err
