"""`export-training`, `accept-training` and `train`: from the agents' labels to a model that knows them.

1. `python -m bot export-training [--output F]` writes every labelled message as a Rasa NLU example to a review
   file, `knowledge/review/nlu-review-<date>-<time>.yml` by default: the anonymisation runs again on each text
   (`bot.core.anonymise`); a held-out utterance (`assistant.nlu.heldout`), a text the training data already holds,
   a text given two intents and a text of placeholders alone are left out, and the summary says how many.
   Nothing in `knowledge/review/` is ever trained on.
2. A person reads the file, deletes or corrects what is wrong, and accepts it: `python -m bot accept-training F`
   checks it again (Rasa format, declared intents, no held-out utterance, no duplicate) and moves it into
   `knowledge/nlu-accepted/`. That move is the acceptance (moving the file there by hand, in a reviewed commit, is
   the same: `train` makes the same checks).
3. `python -m bot train` trains on knowledge/nlu.yml and every file of `knowledge/nlu-accepted/`; the server's
   start (`load_nlu`) does too, its cache keyed by all of them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TextIO

from bot.config import AppConfig
from bot.core.anonymise import anonymise
from bot.core.identifiers import as_login
from bot.dialogue.domain import load_domain
from bot.knowledge_files import KNOWLEDGE, Knowledge
from bot.nlu.model import DEFAULT_OPTIONS, TrainingOptions, train_and_save
from bot.nlu.review_file import Labelled, choose_examples, heldout_in, read_review, render_review
from bot.nlu.training_data import TrainingData, TrainingDataError, load_training_data, load_training_files, validate
from bot.storage.db import make_engine, session_factory
from bot.storage.nlu_labels import NluLabelStore


def heldout_data(config: AppConfig, err: TextIO) -> TrainingData:
    """The held-out utterances (`assistant.nlu.heldout`); none, with a warning, when the file is not there."""
    configured = config.assistant.nlu.heldout
    path = config.path(configured) if configured else None
    if path is None or not path.is_file():
        print(f"warning: no held-out file ({configured}): held-out utterances are not checked", file=err)
        return TrainingData()
    return load_training_data(path)


def _knowledge(config: AppConfig) -> Knowledge:
    return Knowledge(config.path(KNOWLEDGE))


def review_file_name(now: dt.datetime) -> str:
    return f"nlu-review-{now:%Y%m%d-%H%M%S}.yml"


def export_training(config: AppConfig, output: Path | None, now: dt.datetime, out: TextIO, err: TextIO) -> int:
    knowledge = _knowledge(config)
    engine = make_engine(config.storage.url, root=config.root)
    try:
        labels = NluLabelStore(session_factory(engine)).labelled()
    finally:
        engine.dispose()
    patterns = config.login_patterns()
    labelled = [
        Labelled(anonymise(text, lambda word: as_login(word, patterns) is not None), intent) for text, intent in labels
    ]
    declared = set(load_domain(knowledge.domain).intents)
    training = load_training_files(knowledge.training_files())
    choice = choose_examples(labelled, declared & set(training.intents), heldout_data(config, err), training)
    print(f"{len(labels)} labelled messages", file=out)
    for why, texts in (
        ("held-out utterances, never trained on", choice.heldout),
        ("already in the training data", choice.known),
        ("given two intents", choice.conflicts),
        ("with an intent that is not trained", choice.unknown_intent),
    ):
        if texts:
            print(f"left out, {why}: {len(texts)}", file=out)
    if choice.empty:
        print(f"left out, nothing but placeholders: {choice.empty}", file=out)
    if not choice.examples:
        print("nothing to export", file=out)
        return 0
    target = output or knowledge.review / review_file_name(now)
    header = [
        f"Labelled by the support agents, exported {now:%Y-%m-%d %H:%M} (python -m bot export-training).",
        "NOT TRAINED until accepted: read every example, delete or correct what is wrong, then",
        f"python -m bot accept-training {target.name if output is None else target}",
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_review(choice.examples, header), encoding="utf-8")
    counts = ", ".join(f"{intent} {count}" for intent, count in sorted(choice.counts().items()))
    print(f"{len(choice.examples)} examples written to {target} ({counts})", file=out)
    return 0


def accepted_problems(config: AppConfig, files: list[Path], err: TextIO) -> list[str]:
    """What stops these review files being trained on with knowledge/nlu.yml, one line each."""
    heldout = heldout_data(config, err)
    problems = []
    for path in files:
        try:
            data = read_review(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, TrainingDataError, ValueError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        problems += [f"{path.name}: {e.text!r} is a held-out utterance" for e in heldout_in(data, heldout)]
    return problems


def _resolve(file: Path, knowledge: Knowledge) -> Path:
    """A review file named by path, or by its name in knowledge/review/."""
    if file.exists() or file.is_absolute():
        return file
    return knowledge.review / file


def accept_training(config: AppConfig, file: Path, out: TextIO, err: TextIO) -> int:
    knowledge = _knowledge(config)
    source = _resolve(file, knowledge)
    if not source.is_file():
        print(f"error: no review file {file}", file=err)
        return 2
    target = knowledge.accepted / source.name
    if target.exists():
        print(f"error: {target} exists already", file=err)
        return 2
    problems = accepted_problems(config, [source], err)
    if not problems:
        problems = _training_problems(knowledge, [*knowledge.training_files(), source])
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=err)
        return 2
    examples = len(read_review(source.read_text(encoding="utf-8")).examples)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source, target)
    print(f"accepted: {examples} examples, now {target}; `python -m bot train` includes them", file=out)
    return 0


def _training_problems(knowledge: Knowledge, files: list[Path]) -> list[str]:
    try:
        data = load_training_files(files)
    except TrainingDataError as exc:
        return [str(exc)]
    return [f"training data: {p}" for p in validate(data, set(load_domain(knowledge.domain).intents))]


def train(config: AppConfig, out: TextIO, err: TextIO, options: TrainingOptions = DEFAULT_OPTIONS) -> int:
    """Check and train on knowledge/nlu.yml and the accepted review files; `options`: see `train_and_save`."""
    knowledge = _knowledge(config)
    accepted = knowledge.accepted_files()
    problems = accepted_problems(config, accepted, err) if accepted else []
    problems = problems or _training_problems(knowledge, knowledge.training_files())
    if problems:
        for problem in problems:
            print(f"nlu: {problem}", file=err)
        return 2
    model = train_and_save(knowledge.training_files(), config.path(config.assistant.nlu.model_dir), options=options)
    taught = sum(len(load_training_data(path).examples) for path in accepted)
    with_accepted = f", with {taught} accepted examples from {len(accepted)} review files" if accepted else ""
    print(
        f"trained on {len(model.intents)} intents{with_accepted}; model saved under {config.assistant.nlu.model_dir}",
        file=out,
    )
    return 0
