"""From the assistant's misses to a model that knows them: labelled on the desk, exported to a review file with
nothing personal in it, accepted, trained on (`bot/commands/training.py`).

The commands run on a copy of knowledge/ in a temporary folder (accepting moves a file into it), on the test's
database. The one retrain is a fast one (no augmented copies, ~3 s): the files it trains on are what is tested.
"""

from __future__ import annotations

import datetime as dt
import io
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.config import AppConfig
from bot.knowledge_files import Knowledge
from bot.nlu.augment import Augmentation
from bot.nlu.model import NluModel, TrainingOptions, load_or_train, model_path
from bot.nlu.training_data import load_training_data
from bot.services import Services
from tests.channels.test_desk_teach import group_of, label, misses, running_desk
from tests.conftest import ROOT
from tests.support.machine_clock import child_env

HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
FAST = TrainingOptions(augmentation=Augmentation())  # the corrector, no augmented copies
TAUGHT = [
    "j'ai changé de lycée et plus rien ne marche",
    "depuis que j'ai changé de lycée plus rien ne marche",
    "changé de lycée et plus rien ne marche pour moi",
]
PERSONAL = (
    "bonjour je m'appelle Marie Dupont, mon identifiant est marie.dupont2, écrivez à marie.dupont@gmail.com "
    "ou au 06 12 34 56 78, j'ai essayé Soleil2024! et le code 483920"
)
LEAKS = ("Marie", "Dupont", "marie.dupont2", "gmail", "06 12", "Soleil2024", "483920", "m***t")


def commands_config(config: AppConfig, services: Services, root: Path) -> AppConfig:
    """The configuration the commands read: knowledge/ copied under `root`, the test's database, the model under
    `root`, the project's held-out file."""
    shutil.copytree(ROOT / "knowledge", root / "knowledge")
    nlu = config.assistant.nlu.model_copy(update={"heldout": HELDOUT, "model_dir": root / "nlu"})
    return config.model_copy(
        update={
            "root": root,
            "storage": config.storage.model_copy(update={"url": str(services.database.url)}),
            "assistant": config.assistant.model_copy(update={"nlu": nlu}),
        }
    )


def run(command: Callable[..., int], *args: object) -> tuple[int, str, str]:
    """A command's exit code, what it printed and what it printed as errors."""
    out, err = io.StringIO(), io.StringIO()
    code = command(*args, out, err)
    return code, out.getvalue(), err.getvalue()


def seed_labels(services: Services, labels: list[tuple[str, str]]) -> None:
    """Labels as the desk gives them: each message a miss, labelled by an agent."""
    from bot.services.teaching import Teaching

    teaching = Teaching(services, Knowledge(ROOT / "knowledge"))
    for text, intent in labels:
        services.conversations.record_miss(text, [], services.now())
        (item,) = teaching.store.unlabelled(0.6, set(), 10)
        teaching.store.label([item.key], intent, "web-desk:agent", NOW, teaching.anonymise)


def test_export_writes_anonymised_rasa_examples_and_leaves_out_held_out_and_known_ones(
    config: AppConfig, services: Services, tmp_path: Path
) -> None:
    from bot.commands.training import export_training

    settings = commands_config(config, services, tmp_path)
    seed_labels(
        services,
        [
            (PERSONAL, "cannot_login"),
            ("quel temps demain", "out_of_scope"),  # a held-out utterance
            ("bonjour", "greet"),  # knowledge/nlu.yml has it already
            ("prenom.nom 06 00 00 00 00", "inform"),  # placeholders alone once anonymised
            ("tu connais la recette des crêpes", "out_of_scope"),  # « Hors sujet »
        ],
    )
    code, out, err = run(export_training, settings, None, NOW)
    assert code == 0 and err == ""
    (written,) = (tmp_path / "knowledge" / "review").glob("*.yml")
    assert written.name == "nlu-review-20261125-100000.yml"
    assert out.splitlines() == [
        "5 labelled messages",
        "left out, held-out utterances, never trained on: 1",
        "left out, already in the training data: 1",
        "left out, nothing but placeholders: 1",
        f"2 examples written to {written} (cannot_login 1, out_of_scope 1)",
    ]
    text = written.read_text(encoding="utf-8")
    assert not [leak for leak in LEAKS if leak in text], text
    assert "accept-training nlu-review-20261125-100000.yml" in text and "NOT TRAINED until accepted" in text
    raw = yaml.safe_load(text)
    assert raw["version"] == "3.1"
    assert raw["nlu"] == [
        {
            "intent": "cannot_login",
            "examples": "- bonjour je m'appelle Prenom Nom, mon identifiant est [prenom.nom](username), écrivez à "
            "[prenom.nom@example.org](email) ou au 0600000000, j'ai essayé xxxxxxxx et le code xxxxxxxx\n",
        },
        {"intent": "out_of_scope", "examples": "- tu connais la recette des crêpes\n"},
    ]
    assert written not in Knowledge(tmp_path / "knowledge").training_files()  # not trained before it is accepted


@pytest.mark.slow  # a started process
def test_the_command_line_exports_to_the_file_named(services: Services, tmp_path: Path) -> None:
    seed_labels(services, [("tu connais la recette des crêpes", "out_of_scope")])
    config_file = tmp_path / "config.yml"
    raw = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    raw["storage"]["url"] = str(services.database.url)
    raw["assistant"]["nlu"]["heldout"] = str(HELDOUT)
    config_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "out" / "review.yml"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config_file), "export-training", "--output", str(target)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **child_env(lambda: NOW)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"1 examples written to {target} (out_of_scope 1)" in done.stdout
    assert "- tu connais la recette des crêpes" in target.read_text(encoding="utf-8")
    assert f"python -m bot accept-training {target}" in target.read_text(encoding="utf-8")


def test_a_review_file_holding_a_held_out_utterance_or_broken_is_never_accepted(
    config: AppConfig, services: Services, tmp_path: Path
) -> None:
    from bot.commands.training import accept_training, train

    settings = commands_config(config, services, tmp_path)
    review = tmp_path / "knowledge" / "review"
    review.mkdir()
    (review / "leak.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: out_of_scope\n    examples: |\n      - Quel temps demain ?\n',
        encoding="utf-8",
    )
    (review / "broken.yml").write_text("nlu:\n  - intent: greet\n    examples: pas une liste\n", encoding="utf-8")
    code, _, err = run(accept_training, settings, Path("leak.yml"))
    assert code == 2 and err == "error: leak.yml: 'Quel temps demain ?' is a held-out utterance\n"
    code, _, err = run(accept_training, settings, Path("broken.yml"))
    assert (
        code == 2
        and err == "error: broken.yml: review file: nlu[0]: example line must start with '- ': 'pas une liste'\n"
    )
    code, _, err = run(accept_training, settings, Path("nothing.yml"))
    assert code == 2 and err == "error: no review file nothing.yml\n"
    assert sorted(p.name for p in review.iterdir()) == ["broken.yml", "leak.yml"]
    # moved there by hand, it is refused by train all the same
    accepted = tmp_path / "knowledge" / "nlu-accepted"
    accepted.mkdir()
    shutil.move(review / "leak.yml", accepted / "leak.yml")
    code, _, err = run(train, settings)
    assert code == 2 and err == "nlu: leak.yml: 'Quel temps demain ?' is a held-out utterance\n"
    assert not model_path(tmp_path / "nlu").exists()


@pytest.mark.slow  # one retrain, fast options: ~10 s on the shared machine with the desk and the export
async def test_misses_labelled_on_the_desk_exported_accepted_and_trained_on_are_understood(
    config: AppConfig,
    services: Services,
    nlu: NluModel,
    tmp_path: Path,
) -> None:
    from bot.commands.training import accept_training, export_training, train

    settings = commands_config(config, services, tmp_path)
    for number, text in enumerate(TAUGHT):
        services.conversations.record_miss(text, [{"name": "link_expired", "confidence": 0.4}], services.now())
        services.conversations.save(f"web:taught{number}", "web", {}, [("in", text, "link_expired", 0.4)], NOW)
    assert nlu.parse(TAUGHT[0])["intent"]["name"] != "cannot_login"  # the model as shipped gets it wrong

    async with running_desk(services, nlu) as desk_url, aiohttp.ClientSession() as http:
        group = group_of(await misses(http, desk_url), "changé de lycée")
        assert group["count"] == 3
        status, done = await label(http, desk_url, group["keys"], "cannot_login")
        assert status == 200 and done["labelled"] == 3

    assert run(export_training, settings, None, NOW)[0] == 0
    (review,) = (tmp_path / "knowledge" / "review").glob("*.yml")
    assert [e.text for e in load_training_data(review).examples] == sorted(TAUGHT)
    code, out, _ = run(accept_training, settings, Path(review.name))
    accepted = tmp_path / "knowledge" / "nlu-accepted" / review.name
    assert code == 0 and out == f"accepted: 3 examples, now {accepted}; `python -m bot train` includes them\n"
    assert not review.exists()

    code, out, err = run(lambda config, out, err: train(config, out, err, FAST), settings)
    assert code == 0, err
    assert out.startswith("trained on 26 intents, with 3 accepted examples from 1 review files")
    with model_path(tmp_path / "nlu").open("rb") as cached:
        retrained = pickle.load(cached)
    for text in [*TAUGHT, "j'ai changé de lycée, plus rien ne marche"]:
        assert retrained.parse(text)["intent"]["name"] == "cannot_login", text
    # the server's start finds this model up to date with nlu.yml and the accepted file: no second training
    files = Knowledge(tmp_path / "knowledge").training_files()
    assert files[-1] == accepted and load_or_train(files, tmp_path / "nlu").fingerprint == retrained.fingerprint
