"""The support leads' dashboard on a year of a région's traffic: how long its SQL aggregates take, the whole figures,
and the charts, for the ranges and filters a support lead asks.

Run: `nice -n 10 .venv/bin/python bench/dashboard.py [--chats-per-day 1500] [--schools 500] [--repeat 5]
[--no-postgres]`. Prints figures; asserts nothing. The machine is noisy: compare figures of one run, as ratios.

- Traffic: one school year (2025-11-26 to 2026-11-25) of chats' days (`chat_days`), `--chats-per-day` on average,
  four times as many in September as in a quiet month, in `--schools` schools of two ENTs (70 % / 30 %), with a
  diagnosis mix like the assistant's (a third not activated) and 6 % handed to a person; 5 % of the chats open a
  ticket, answered by an agent 85 % of the time, closed and rated 60 % of the time. Written by executemany.
- Each aggregate (`bot.storage.dashboard`): the median of `--repeat` runs, for the year and the last 30 days, with
  every ENT, one ENT, one school. Then the whole figures (`bot.services.dashboard`: every aggregate, the top
  schools' names) and the eight charts drawn as SVG for the page (matplotlib, imported before the timing).
- On SQLite, then on a throw-away PostgreSQL when Debian's postgresql is installed; with SQLite's plan of the
  chats' aggregate, to show which index it reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bootstrap import build_services  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.core.dashboard import Filters, TopBy  # noqa: E402
from bot.dashboard.labels import LABELS_FILE, DashboardLabels  # noqa: E402
from bot.dashboard.views import svg_charts  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.services.dashboard import dashboard  # noqa: E402
from bot.storage.dashboard import DashboardQueries  # noqa: E402
from bot.storage.db import make_engine, migrate  # noqa: E402
from bot.storage.models import ChatDay, Ticket, TicketMessage  # noqa: E402
from tests.support.postgres import Postgres, binaries  # noqa: E402

LAST_DAY = dt.date(2026, 11, 25)
DAYS = 365
SLICE = 10_000
DIAGNOSES = [
    ("not_activated", 33),
    (None, 25),
    ("account_ok", 10),
    ("link_expired", 8),
    ("validation_pending", 6),
    ("account_locked", 5),
    ("account_unknown", 5),
    ("reset_pending", 3),
    ("needs_human", 3),
    ("vacation_freeze", 2),
]
MONTH_WEIGHT = {9: 4.0, 10: 2.0, 11: 1.5, 12: 0.8, 1: 1.0, 2: 0.8, 3: 0.8, 4: 0.7, 5: 0.7, 6: 0.9, 7: 0.3, 8: 0.6}


def _schools(count: int) -> list[tuple[str, str]]:
    """(UAI, ENT) of `count` schools, 70 % of them in monlycee."""
    return [(f"{750000 + n:07d}{chr(65 + n % 26)}", "monlycee" if n % 10 < 7 else "netocentre") for n in range(count)]


def _days() -> list[tuple[dt.date, float]]:
    days = [LAST_DAY - dt.timedelta(days=n) for n in range(DAYS)]
    weights = [MONTH_WEIGHT[d.month] for d in days]
    mean = statistics.fmean(weights)
    return [(d, w / mean) for d, w in zip(days, weights, strict=True)]


def generate(engine: Engine, chats_per_day: int, school_count: int, seed: int = 13) -> dict[str, int]:
    """A year of chats' days and tickets in `engine`'s migrated database; how many rows of each."""
    rng = random.Random(seed)
    schools = _schools(school_count)
    codes, weights = zip(*DIAGNOSES, strict=True)
    chat_rows: list[dict[str, Any]] = []
    tickets: list[dict[str, Any]] = []
    conversation = 0
    counts = {"chat_days": 0, "tickets": 0, "ticket_messages": 0}
    with engine.begin() as connection:
        for day, weight in _days():
            for _ in range(round(chats_per_day * weight)):
                conversation += 1
                uai, tenant = rng.choice(schools)
                told = rng.random() < 0.8  # a fifth never say their ENT or school
                handed = rng.random() < 0.06
                chat_rows.append(
                    {
                        "conversation_id": conversation,
                        "day": day,
                        "channel": "telegram" if rng.random() < 0.3 else "web",
                        "tenant": tenant if told else None,
                        "uai": uai if told else None,
                        "diagnosis": rng.choices(codes, weights)[0],
                        "handed_over": handed,
                        "turns": rng.randint(1, 8),
                        "misses": rng.choice((0, 0, 0, 0, 1, 2)),
                    }
                )
                if handed or rng.random() < 0.01:
                    opened = dt.datetime.combine(day, dt.time(rng.randint(6, 18), rng.randint(0, 59)), dt.UTC)
                    tickets.append({"uai": uai, "tenant": tenant, "opened": opened, "rng": rng.random()})
                if len(chat_rows) >= SLICE:
                    connection.execute(insert(ChatDay), chat_rows)
                    counts["chat_days"] += len(chat_rows)
                    chat_rows = []
        if chat_rows:
            connection.execute(insert(ChatDay), chat_rows)
            counts["chat_days"] += len(chat_rows)
        counts.update(_tickets(connection, tickets, rng))
    return counts


def _tickets(connection: Any, wanted: list[dict[str, Any]], rng: random.Random) -> dict[str, int]:
    rows, messages = [], []
    for number, ticket in enumerate(wanted, start=1):
        closed = ticket["opened"] + dt.timedelta(hours=rng.uniform(1, 72)) if ticket["rng"] < 0.8 else None
        rows.append(
            {
                "id": number,
                "sender_id": f"web:bench-{number}",
                "channel": "web",
                "status": "closed" if closed else "taken",
                "tenant": ticket["tenant"],
                "uai": ticket["uai"],
                "summary": "",
                "transcript": "",
                "rating": rng.randint(1, 5) if closed and rng.random() < 0.6 else None,
                "created_at": ticket["opened"],
                "updated_at": closed or ticket["opened"],
                "closed_at": closed,
            }
        )
        messages.append({"ticket_id": number, "author": "user", "text": "", "created_at": ticket["opened"]})
        if rng.random() < 0.85:
            answered = ticket["opened"] + dt.timedelta(minutes=rng.expovariate(1 / 90))
            for later in (0, 30):
                at = answered + dt.timedelta(minutes=later)
                messages.append({"ticket_id": number, "author": "agent", "text": "", "created_at": at})
    for start in range(0, len(rows), SLICE):
        connection.execute(insert(Ticket), rows[start : start + SLICE])
    for start in range(0, len(messages), SLICE):
        connection.execute(insert(TicketMessage), messages[start : start + SLICE])
    return {"tickets": len(rows), "ticket_messages": len(messages)}


def _median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _asked(school: str) -> list[tuple[str, Filters]]:
    year = Filters(LAST_DAY - dt.timedelta(days=DAYS - 1), LAST_DAY)
    month = Filters(LAST_DAY - dt.timedelta(days=29), LAST_DAY)
    return [
        ("year, every ENT", year),
        ("year, one ENT", Filters(year.start, year.end, tenant="netocentre")),
        ("year, one school", Filters(year.start, year.end, uai=school)),
        ("year, top by tickets", Filters(year.start, year.end, top_by=TopBy.TICKETS)),
        ("30 days, every ENT", month),
        ("30 days, one school", Filters(month.start, month.end, uai=school)),
    ]


def measure(services: Services, repeat: int, school: str, labels: DashboardLabels) -> None:
    queries = DashboardQueries(services.sessions, services.database)
    zone = services.timezone
    columns = ("chats", "ENT", "opened", "closed", "top", "figures", "charts")
    print(f"  {'asked':<22}" + "".join(f"{c:>9}" for c in columns))
    for name, asked in _asked(school):
        bounds = asked.utc_bounds(zone)
        figures = dashboard(services, asked)
        cells = [
            _median_ms(lambda a=asked: queries.chat_days(a), repeat),  # type: ignore[misc]
            _median_ms(lambda a=asked, b=bounds: queries.tickets_by_tenant(a, b), repeat),  # type: ignore[misc]
            _median_ms(lambda a=asked, b=bounds: queries.opened(a, b), repeat),  # type: ignore[misc]
            _median_ms(lambda a=asked, b=bounds: queries.closed(a, b), repeat),  # type: ignore[misc]
            _median_ms(lambda a=asked, b=bounds: queries.top_schools(a, b), repeat),  # type: ignore[misc]
            _median_ms(lambda a=asked: dashboard(services, a), repeat),  # type: ignore[misc]
            _median_ms(lambda f=figures: svg_charts(f, labels), max(1, repeat // 2)),  # type: ignore[misc]
        ]
        print(f"  {name:<22}" + "".join(f"{c:>9.0f}" for c in cells), end="")
        print(f"   ({figures.totals.conversations} chats, {figures.totals.tickets_opened} tickets)")
    print("  (ms, median: chats, tickets by ENT, opened, closed, top schools, the whole figures, the 8 SVG charts)")


PLANS = {
    "every ENT's chats": "SELECT day, diagnosis, tenant, count(*), sum(misses) FROM chat_days "
    "WHERE day >= '2025-11-26' AND day <= '2026-11-25' GROUP BY day, diagnosis, tenant",
    "one school's chats": "SELECT day, diagnosis, tenant, count(*), sum(misses) FROM chat_days "
    "WHERE day >= '2025-11-26' AND day <= '2026-11-25' AND uai = :u GROUP BY day, diagnosis, tenant",
    "top schools": "SELECT uai, count(*) FROM chat_days WHERE day >= '2025-11-26' AND day <= '2026-11-25' "
    "AND diagnosis = 'not_activated' AND uai IS NOT NULL GROUP BY uai",
}


def _print_plans(engine: Engine, school: str) -> None:
    """SQLite's plan of the chats' aggregates: which index each reads."""
    with engine.connect() as connection:
        for name, sql in PLANS.items():
            plan = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}"), {"u": school})
            print(f"  plan of {name}: " + "; ".join(str(row[-1]) for row in plan))


def _open(folder: Path) -> Path:
    """A temporary folder the PostgreSQL server's own user may enter (it runs as `nobody` when we are root)."""
    folder.chmod(0o755)
    return folder


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str | None]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'dashboard.db'}"
        return
    if binaries() is None:
        yield None
        return
    server = Postgres(folder / "pg")
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats-per-day", type=int, default=1500)
    parser.add_argument("--schools", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    config = load_config(ROOT / "config.yml")
    labels = DashboardLabels.load(config.path(LABELS_FILE))
    import matplotlib.figure  # noqa: F401  (the import is start-up's cost, not the charts')

    kinds = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    for kind in kinds:
        with tempfile.TemporaryDirectory() as folder, database(kind, _open(Path(folder))) as url:
            if url is None:
                print(f"{kind}: not installed, skipped")
                continue
            engine = make_engine(url)
            migrate(engine)
            started = time.perf_counter()
            counts = generate(engine, args.chats_per_day, args.schools)
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))  # as autovacuum / `PRAGMA optimize` would have by then
            made = time.perf_counter() - started
            print(
                f"{kind}: one year, {', '.join(f'{n:,} {table}' for table, n in counts.items())} (made in {made:.0f} s)"
            )
            services = build_services(config, database_url=url)
            school = _schools(args.schools)[0][0]
            if kind == "sqlite":
                _print_plans(engine, school)
            measure(services, args.repeat, school, labels)
            services.database.dispose()
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
