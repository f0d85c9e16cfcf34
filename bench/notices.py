"""What a run of the notices' jobs costs against the number of chats that opted in.

Run: `nice -n 10 .venv/bin/python bench/notices.py [--subscribers 1000 5000]`. Prints figures; asserts nothing.

On a throw-away SQLite database holding the demo directory (the embedded SQL directory), N Telegram chats linked to
its accounts opt in; no channel runs, so each notice stays in its chat's inbox (the storing and the claim are what
is timed, not Telegram). For each N:

- `announce_freezes` on a day a window is due: the run that sends every announcement (ms per notice), then the
  same run again once all were sent (what each hourly run costs for the rest of the announcement days), and a run
  on a day nothing is due (every other hour of the year);
- `send_digests` on a rentrée Monday (the demo directory's ADMLs among the chats), then again once sent;
- `remind_unactivated` with a watch per chat, due, the accounts still not activated (ms per reminder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.bootstrap import build_services, load_demo_directory  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.mail.capture import CaptureMailer  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.services.notices import announce_freezes, remind_unactivated, send_digests  # noqa: E402
from bot.storage.db import make_engine, migrate  # noqa: E402

PARIS = dt.timezone(dt.timedelta(hours=2))


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def timed(run: Callable[[Services], list[str]], services: Services) -> tuple[float, int]:
    started = time.perf_counter()
    sent = run(services)
    return (time.perf_counter() - started) * 1000, len(sent)


def bench(subscribers: int, folder: Path) -> None:
    url = f"sqlite:///{folder / f'notices-{subscribers}.db'}"
    migrate(make_engine(url))
    clock = Clock(dt.datetime(2026, 7, 8, 10, tzinfo=PARIS))
    config = load_config(ROOT / "config.yml")
    notices = config.notices.model_copy(update={"messages_per_run": subscribers * 2})
    config = config.model_copy(update={"notices": notices})
    services = build_services(config, clock=clock, database_url=url, mailer=CaptureMailer(folder / "outbox"))
    fixture = load_demo_directory(services)
    logins = [a.login for a in fixture.accounts if a.uai]
    admls = [a.login for a in fixture.accounts if a.adml_of]
    for number in range(subscribers):
        sender = f"telegram:{100000 + number}"
        login = admls[number % len(admls)] if number % 50 == 0 else logins[number % len(logins)]
        services.links.link(sender, login, clock())
        services.notices.subscribe(sender, clock())
        services.notices.watch(sender, login, clock())

    first, sent = timed(announce_freezes, services)
    again, _ = timed(announce_freezes, services)
    clock.now = dt.datetime(2026, 11, 25, 10, tzinfo=PARIS)
    idle, _ = timed(announce_freezes, services)
    clock.now = dt.datetime(2026, 7, 8, 10, tzinfo=PARIS)
    print(
        f"{subscribers:>6} chats  announce_freezes: {sent} sent in {first:.0f} ms ({first / max(sent, 1):.2f} ms "
        f"each), all sent {again:.0f} ms, nothing due {idle:.1f} ms"
    )

    clock.now = dt.datetime(2026, 7, 11, 11, tzinfo=PARIS)  # past the reminders' delay, within users' links' life
    reminders, sent = timed(remind_unactivated, services)
    each = reminders / max(sent, 1)
    print(f"{'':>6}        remind_unactivated: {sent} sent in {reminders:.0f} ms ({each:.2f} ms each)")

    clock.now = dt.datetime(2026, 9, 7, 9, tzinfo=PARIS)
    for number in range(0, subscribers, 50):  # the ADMLs proved again this morning: their digests carry the CSV
        services.links.link(f"telegram:{100000 + number}", admls[number % len(admls)], clock())
    digests, sent = timed(send_digests, services)
    digests_again, _ = timed(send_digests, services)
    print(f"{'':>6}        send_digests: {sent} sent in {digests:.0f} ms, all sent {digests_again:.0f} ms")
    services.database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for subscribers in args.subscribers:
            bench(subscribers, Path(folder))


if __name__ == "__main__":
    main()
