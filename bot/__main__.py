"""Command line: `python -m bot COMMAND`. Every command reads config.yml (or --config / CLEF_CONFIG)."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from pathlib import Path

from bot.config import AppConfig, load_config
from bot.logging_redaction import install_log_redaction

log = logging.getLogger("bot")


def _config(args: argparse.Namespace) -> AppConfig:
    return load_config(Path(args.config) if args.config else None)


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.storage.db import make_engine, migrate

    config = _config(args)
    revision = migrate(make_engine(config.storage.url, root=config.root))
    print(f"database is at revision {revision}")
    return 0


def cmd_load_directory(args: argparse.Namespace) -> int:
    from bot.bootstrap import build_services, load_demo_directory

    config = _config(args)
    if not args.fixture and config.directory.fixture is None:
        print(
            "error: no directory fixture: give one (`load-directory FILE`) or set directory.fixture in the "
            "configuration",
            file=sys.stderr,
        )
        return 2
    services = build_services(config)
    fixture = load_demo_directory(services, Path(args.fixture) if args.fixture else None)
    print(f"directory loaded: {len(fixture.establishments)} establishments, {len(fixture.accounts)} accounts")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from bot.commands.training import train

    return train(_config(args), sys.stdout, sys.stderr)


def cmd_export_training(args: argparse.Namespace) -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from bot.commands.training import export_training

    config = _config(args)
    now = dt.datetime.now(dt.UTC).astimezone(ZoneInfo(config.assistant.timezone))
    return export_training(config, Path(args.output) if args.output else None, now, sys.stdout, sys.stderr)


def cmd_accept_training(args: argparse.Namespace) -> int:
    from bot.commands.training import accept_training

    return accept_training(_config(args), Path(args.file), sys.stdout, sys.stderr)


def cmd_parse(args: argparse.Namespace) -> int:
    from bot.knowledge_files import load_nlu
    from bot.nlu.multi import parse_message

    model = load_nlu(_config(args))
    for line in sys.stdin:
        text = line.rstrip("\n")
        print(json.dumps(parse_message(model, text), ensure_ascii=False), flush=True)
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from bot.bootstrap import load_nlu
    from bot.channels.replay import replay_files

    model = load_nlu(_config(args))
    config_file = Path(args.config) if args.config else None
    return replay_files([Path(p) for p in args.files], model, args.json, sys.stdout, config_file)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.bootstrap import build_assistant, build_services
    from bot.channels.console import chat

    chat(build_assistant(build_services(_config(args))))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    gc.disable()  # while start-up builds what lasts: bot.runtime.settle freezes it, then turns the collector on
    from bot.config import config_path
    from bot.runtime import run

    return run(_config(args), config_path(Path(args.config) if args.config else None), args.web_worker)


def cmd_account(args: argparse.Namespace) -> int:
    from bot.commands.account_report import account_report

    return account_report(_config(args), args.login, args.json, sys.stdout)


def cmd_nlu_eval(args: argparse.Namespace) -> int:
    from bot.knowledge_files import KNOWLEDGE, Knowledge
    from bot.nlu.evaluate import main as evaluate

    config = _config(args)
    knowledge = Knowledge(config.path(KNOWLEDGE))
    return evaluate(config, args, knowledge.training_files(), knowledge.accepted_files())


def cmd_conversation_eval(args: argparse.Namespace) -> int:
    from bot.bootstrap import load_nlu
    from bot.commands.conversation_eval import main as evaluate
    from bot.config import DEFAULT_CONFIG_PATH

    config = _config(args)
    path = Path(args.config) if args.config else DEFAULT_CONFIG_PATH
    return evaluate(config, args, load_nlu(config), path, sys.stdout)


def cmd_report(args: argparse.Namespace) -> int:
    from bot.commands.report import report

    return report(_config(args), args, sys.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="clef, the ENT activation assistant")
    parser.add_argument("--config", help="configuration file (default: config.yml, or $CLEF_CONFIG)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the database").set_defaults(run=cmd_migrate)
    load = commands.add_parser("load-directory", help="fill the embedded directory from a fixture")
    load.add_argument("fixture", nargs="?", help="directory fixture (default: directory.fixture of config.yml)")
    load.set_defaults(run=cmd_load_directory)
    commands.add_parser(
        "train", help="train the NLU model from knowledge/nlu.yml and knowledge/nlu-accepted/"
    ).set_defaults(run=cmd_train)
    export = commands.add_parser("export-training", help="the agents' labels as a review file of NLU examples")
    export.add_argument("--output", help="the review file (default: knowledge/review/nlu-review-<date>-<time>.yml)")
    export.set_defaults(run=cmd_export_training)
    accept = commands.add_parser("accept-training", help="check a review file and move it to knowledge/nlu-accepted/")
    accept.add_argument("file", help="the review file (a path, or its name in knowledge/review/)")
    accept.set_defaults(run=cmd_accept_training)
    commands.add_parser("parse", help="parse utterances from stdin, one JSON line each").set_defaults(run=cmd_parse)
    replay = commands.add_parser("replay", help="run conversation scenarios")
    replay.add_argument("files", nargs="+")
    replay.add_argument("--json", action="store_true", help="one JSON object per line")
    replay.set_defaults(run=cmd_replay)
    commands.add_parser("chat", help="talk to the assistant in the terminal").set_defaults(run=cmd_chat)
    serve = commands.add_parser("run", help="start the assistant (web chat, Telegram when configured)")
    serve.add_argument("--web-worker", action="store_true", help=argparse.SUPPRESS)  # started by `run` itself
    serve.set_defaults(run=cmd_run)
    account = commands.add_parser("account", help="what the assistant sees of an account, and its diagnosis now")
    account.add_argument("login")
    account.add_argument("--json", action="store_true")
    account.add_argument("--config", default=argparse.SUPPRESS, help="configuration file (as before the command)")
    account.set_defaults(run=cmd_account)
    evaluate = commands.add_parser("nlu-eval", help="cross-validate the NLU and write a report")
    evaluate.add_argument("--folds", type=int, default=5)
    evaluate.add_argument("--heldout", help="a held-out file in nlu.yml format")
    evaluate.add_argument("--classifier", default="logreg", help="logreg (default) or svm")
    evaluate.add_argument(
        "--review", action="append", help="a review file of export-training: report the held-out gain of teaching it"
    )
    evaluate.add_argument("--report", default="var/nlu-report.md")
    evaluate.set_defaults(run=cmd_nlu_eval)
    conversations = commands.add_parser(
        "conversation-eval", help="pass rate of the conversation scenarios, failures by cause"
    )
    conversations.add_argument("--folder", default="tests/conversations", help="holds dev/ and test/")
    conversations.add_argument("--part", choices=["dev", "test"], help="one part only (default: both)")
    conversations.add_argument("--verbose", "-v", action="store_true", help="list each failure")
    conversations.add_argument("--json", help="also write the results to this file")
    conversations.set_defaults(run=cmd_conversation_eval)
    report = commands.add_parser("report", help="the support leads' dashboard as CSV and PNG files")
    report.add_argument("--config", default=argparse.SUPPRESS, help="configuration file (as before the command)")
    report.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: 29 days before --to)")
    report.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
    report.add_argument("--tenant", help="one ENT (an id of config.yml's tenants)")
    report.add_argument("--uai", help="one school, by its UAI")
    report.add_argument("--top-by", choices=["unactivated", "tickets"], default="unactivated")
    report.add_argument("--out", default="var/report", help="folder of the CSV and PNG files (default: var/report)")
    report.set_defaults(run=cmd_report)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    for noisy in ("alembic", "apscheduler", "httpx", "telegram", "aiohttp.access", "rasa_sdk"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from bot.errors import USER_ERRORS  # on failure only: each command imports what it needs, no more

        if not isinstance(exc, USER_ERRORS):
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
