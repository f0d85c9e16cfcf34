"""Each cost that grows with a région's size, against that size: loading the directory, a diagnosis turn, an ADML's
report of the accounts to activate, the retention purge.

Run: `nice -n 10 .venv/bin/python bench/growth.py [--sizes 10000 100000 500000] [--conversations 100000]
[--turns 200] [--schools 1500 3000] [--idle 100000] [--no-postgres]`. Prints figures; asserts nothing. Each big size
is measured once (the loader at 500,000 accounts takes minutes); compare figures of one run, as ratios.

- loader: `python -m bot load-directory FILE` in process (YAML read, checks, the embedded directory replaced) on a
  fixture of the demo directory plus N generated accounts in 400 schools; peak RSS is the process's so far (sizes
  run smallest first, so it is the biggest load's).
- diagnosis turn: on that directory, with `--conversations` stored chats besides, p50 and p90 of the turn that
  gives the login (the turn before, "j'arrive pas à me connecter à l'ENT", is not timed), on accounts spread
  over the whole directory; a fresh chat each time. Every size's database is built first, then the turns go to
  each size in turn, so that the load of the shared machine weighs on all sizes alike.
- ADML report: an ADML of a school of S accounts (a third still to activate) asks for the list: the turn's time
  (median of 5, the sizes in turn) and its SQL statements.
- purge: `--idle` conversations idle past the retention (4 lines each) and 1,000 recent ones, on SQLite and on a
  throw-away PostgreSQL when Debian's postgresql is installed: the whole purge, its batches and the longest one
  (how long a turn may wait for it).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measures import bench_config, percentile  # noqa: E402
from bot.bootstrap import build_assistant, build_services, load_demo_directory, load_nlu  # noqa: E402
from bot.config import AppConfig  # noqa: E402
from bot.directory.fixture import load_fixture  # noqa: E402
from bot.mail.capture import CaptureMailer  # noqa: E402
from bot.messages import InboundMessage  # noqa: E402
from bot.nlu.model import NluModel  # noqa: E402
from bot.services import Services, current  # noqa: E402
from bot.services.assistant import Assistant  # noqa: E402
from bot.storage.conversations import ConversationStore  # noqa: E402
from bot.storage.db import make_engine, migrate, session_factory  # noqa: E402
from tests.support.bulk import add_conversations  # noqa: E402
from tests.support.postgres import Postgres, binaries  # noqa: E402

DEMO = ROOT / "knowledge" / "demo-directory.yml"
SCHOOLS = 400
GIVEN = ("lea", "hugo", "emma", "lucas", "chloe", "louis", "manon", "jules", "camille", "nathan")
FAMILY = ("martin", "bernard", "thomas", "petit", "robert", "richard", "durand", "dubois", "moreau", "laurent")
# the mix of the generated accounts, by position: what a diagnosis meets in a real directory
STATES = ("active", "active", "active", "provisional", "reset", "active", "disabled", "active", "provisional")
ISABELLE = "telegram:6001"  # the demo directory's ADML of 0750001A
NOW = dt.datetime.now(dt.UTC)


def login_of(n: int) -> str:
    return f"{GIVEN[n % len(GIVEN)]}.{FAMILY[n // len(GIVEN) % len(FAMILY)]}{n}"


def school_of(n: int) -> str:
    return f"{n % SCHOOLS:07d}{'ABCDEFGH'[n % SCHOOLS % 8]}"


def fixture_text(accounts: int, one_school: str | None = None) -> str:
    """The demo directory plus `accounts` generated ones, in SCHOOLS generated schools or all in `one_school`."""
    head, tail = DEMO.read_text(encoding="utf-8").rstrip("\n").split("\naccounts:\n", 1)
    out = [head]
    for s in range(0 if one_school else SCHOOLS):
        out += [
            f"- uai: '{school_of(s)}'",
            f"  name: Lycée numéro {s}",
            f"  tenant: {'monlycee' if s % 2 else 'netocentre'}",
            "  ent_convention: true",
        ]
    out += ["accounts:", tail]
    issued = (NOW - dt.timedelta(days=3)).isoformat()
    for n in range(accounts):
        state = STATES[n % len(STATES)]
        out += [
            f"- login: {login_of(n)}",
            f"  given_name: {GIVEN[n % len(GIVEN)].capitalize()}",
            f"  family_name: {FAMILY[n // len(GIVEN) % len(FAMILY)].capitalize()}",
            f"  profile: {'teacher' if n % 25 == 0 else 'student'}",
            f"  uai: '{one_school or school_of(n)}'",
            f"  state: {state}",
            f"  ent_mail: {login_of(n)}@monlycee.net",
        ]
        if state in ("provisional", "reset"):
            out += [f"  provisional_issued_at: '{issued}'", "  provisional_delivery: school"]
    return "\n".join(out) + "\n"


def build(config: AppConfig, url: str, folder: Path) -> Services:
    migrate(make_engine(url))
    return build_services(config, database_url=url, mailer=CaptureMailer(folder / "outbox"), clock=lambda: NOW)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclasses.dataclass
class Row:
    cost: str
    size: str
    figure: str


def directory_growth(config: AppConfig, nlu: NluModel, sizes: list[int], conversations: int, turns: int) -> list[Row]:
    """Each size loaded once into a database of its own; then the diagnosis turns, one size after the other in
    turn, so that the machine's load (shared) weighs on every size alike."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        assistants: dict[int, Assistant] = {}
        for size in sizes:
            folder = Path(name) / str(size)
            folder.mkdir()
            path = folder / "region.yml"
            path.write_text(fixture_text(size), encoding="utf-8")
            services = build(config, f"sqlite:///{folder / 'growth.db'}", folder)
            started = time.perf_counter()
            load_demo_directory(services, path)
            loaded = time.perf_counter() - started
            path.unlink()
            rows.append(Row("loader", f"{size:,} accounts", f"{loaded:6.1f} s, peak RSS {peak_rss_mb():,.0f} MB"))
            print(f"  loaded {size:,} accounts in {loaded:.1f} s", flush=True)
            add_conversations(services.database, "stored:", conversations, NOW - dt.timedelta(days=2), 4)
            assistants[size] = build_assistant(services, nlu)
        times: dict[int, list[float]] = {size: [] for size in sizes}
        for turn in range(turns + 10):  # the first ten warm the caches up
            for size, assistant in assistants.items():
                elapsed = diagnosis_turn(assistant, login_of(turn * 7919 % size), f"web:diag-{turn}")
                if turn >= 10:
                    times[size].append(elapsed)
        base = percentile(times[sizes[0]], 50)
        for size in sizes:
            p50, p90 = percentile(times[size], 50), percentile(times[size], 90)
            rows.append(
                Row(
                    "diagnosis turn",
                    f"{size:,} accounts, {conversations:,} chats",
                    f"p50 {p50:5.2f} ms, p90 {p90:5.2f} ms ({p50 / base:.2f}x the smallest)",
                )
            )
        for assistant in assistants.values():
            assistant.services.database.dispose()
    return rows


def diagnosis_turn(assistant: Assistant, login: str, sender: str) -> float:
    """A fresh chat says it cannot log in (not timed), then gives `login`: that turn's time, in ms."""
    current.install(assistant.services)  # the actions' services: this assistant's (each size has its own)
    assistant.handle(InboundMessage(sender, "jarrive pas a me connecter a l'ent"))
    started = time.perf_counter()
    result = assistant.handle(InboundMessage(sender, login))
    elapsed = (time.perf_counter() - started) * 1000
    assert result.messages, login
    return elapsed


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)


def adml_report(config: AppConfig, nlu: NluModel, school_sizes: list[int], rounds: int = 5) -> list[Row]:
    """An ADML's list of a school of each size; the sizes in turn, `rounds` times (the median kept)."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        assistants: dict[int, Assistant] = {}
        for size in school_sizes:
            folder = Path(name) / str(size)
            folder.mkdir()
            path = folder / "school.yml"
            path.write_text(fixture_text(size, "0750001A"), encoding="utf-8")
            services = build(config, f"sqlite:///{folder / 'adml.db'}", folder)
            services.directory.load_fixture(load_fixture(path))
            services.links.link(ISABELLE, "isabelle.roux", NOW)
            assistants[size] = build_assistant(services, nlu)
        times: dict[int, list[float]] = {size: [] for size in school_sizes}
        statements: dict[int, int] = {}
        listed: dict[int, int] = {}
        for _ in range(rounds):
            for size, assistant in assistants.items():
                current.install(assistant.services)
                with counting_statements(assistant.services.database) as seen:
                    started = time.perf_counter()
                    result = assistant.handle(InboundMessage(ISABELLE, "/list_unactivated"))
                    times[size].append(time.perf_counter() - started)
                statements[size] = len(seen)
                documents = [m.document for m in result.messages if m.document]
                listed[size] = len(documents[0][1].splitlines()) - 1  # the CSV rows under its header
        for size, assistant in assistants.items():
            rows.append(
                Row(
                    "ADML report",
                    f"school of {size:,} accounts",
                    f"{statistics.median(times[size]) * 1000:6.0f} ms, {statements[size]} SQL statements, "
                    f"{listed[size]:,} listed",
                )
            )
            assistant.services.database.dispose()
    return rows


def timed_transactions(engine: Engine) -> tuple[list[float], Callable[[], None]]:
    """The length of each transaction on `engine` (begin to commit), and how to stop measuring."""
    lengths: list[float] = []
    begun: dict[int, float] = {}

    def begin(connection: Any) -> None:
        begun[id(connection)] = time.perf_counter()

    def commit(connection: Any) -> None:
        if id(connection) in begun:
            lengths.append(time.perf_counter() - begun.pop(id(connection)))

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", commit)

    def stop() -> None:
        event.remove(engine, "begin", begin)
        event.remove(engine, "commit", commit)

    return lengths, stop


def purge(url: str, idle: int, where: str) -> Row:
    engine = make_engine(url)
    migrate(engine)
    cutoff = NOW - dt.timedelta(days=90)
    add_conversations(engine, "idle:", idle, cutoff - dt.timedelta(days=30), 4)
    add_conversations(engine, "recent:", 1000, NOW, 4)
    store = ConversationStore(session_factory(engine))
    lengths, stop = timed_transactions(engine)
    started = time.perf_counter()
    try:
        purged = store.purge(cutoff)
    except DBAPIError as exc:  # what an unbatched purge meets past the database's limit on parameters
        return Row("purge", f"{idle:,} idle chats, {where}", f"fails: {str(exc.orig).splitlines()[0]}")
    finally:
        stop()
        engine.dispose()
    elapsed = time.perf_counter() - started
    assert purged == idle, purged
    return Row(
        "purge",
        f"{idle:,} idle chats, {where}",
        f"{elapsed:6.1f} s in {len(lengths)} batches, longest {max(lengths) * 1000:.0f} ms",
    )


def purges(idle: int, postgres: bool) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        rows.append(purge(f"sqlite:///{Path(name) / 'purge.db'}", idle, "SQLite"))
    if postgres and binaries() is not None:
        with tempfile.TemporaryDirectory(prefix="clef-pg-") as name:
            server = Postgres(Path(name))
            server.start()
            try:
                rows.append(purge(server.url, idle, "PostgreSQL"))
            finally:
                server.stop()
    elif postgres:
        print("  (no PostgreSQL installed: the purge on SQLite only)")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 500_000])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--schools", type=int, nargs="+", default=[1500, 3000])
    parser.add_argument("--idle", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    config = bench_config()
    nlu = load_nlu(config)
    rows = adml_report(config, nlu, args.schools)
    rows += purges(args.idle, not args.no_postgres)
    rows += directory_growth(config, nlu, sorted(args.sizes), args.conversations, args.turns)
    order = ["loader", "diagnosis turn", "ADML report", "purge"]
    rows.sort(key=lambda row: order.index(row.cost))
    width = [max(len(getattr(r, f)) for r in rows) for f in ("cost", "size")]
    print(f"\n{'cost'.ljust(width[0])}  {'size'.ljust(width[1])}  figure")
    for row in rows:
        print(f"{row.cost.ljust(width[0])}  {row.size.ljust(width[1])}  {row.figure}")


if __name__ == "__main__":
    main()
