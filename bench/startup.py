"""Start-up and memory: the first answer of `python -m bot run` and the output of `python -m bot parse` in fresh
processes with the model cached, the imports of the run path, peak RSS after 10,000 messages, RSS after 10,000 and
100,000 simulated chats, and the longest garbage-collection pause in a turn.

Run: `.venv/bin/python bench/startup.py [--repeat 3] [--messages 10000] [--chats 10000 100000] [--trace]`. Prints
figures; asserts nothing. The machine is noisy: compare figures from one run, as ratios.

- First answer: from the start of `python -m bot --config F run` (a configuration of the project's with its own
  SQLite file, migrated and filled with the demo directory beforehand, and a free port) to the end of the HTTP
  answer to its first message; the model cached under var/nlu (trained first if it is not). Median of `--repeat`.
- `parse`: one line on the standard input of `python -m bot parse`, from the start to the exit. Median.
- Memory, in one fresh process built like bench/latency.py's, tuned as `python -m bot run` tunes itself after
  start-up (`bot.runtime.settle`): `--messages` turns of the bench's mix (chat after chat of
  bench/latency.py's script), then the peak RSS (`getrusage`); then new chats of one message each, and the RSS
  after a full collection at each of `--chats`. `--trace` also prints what grew most between the first and the
  last of those (tracemalloc: slower, and its own memory is in the RSS).
- GC pauses: every collection timed by a `gc.callbacks` hook during the turns of both parts; the longest one,
  and the most collection time in one turn. A full collection is rare (when a quarter more objects than the
  long-lived ones survived), so the cost of one is also measured outside the turns: after start-up and at each
  of `--chats`.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
# the opening lines of the simulated chats: each chat says one of them, then is never heard of again
OPENERS = [
    "bonjour",
    "jarrive pas a me connecter a l'ent",
    "comment on active son compte sur netocentre ?",
    "c koi la longueur mini du mdp",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def child_env() -> dict[str, str]:
    """The environment of the started processes: no Telegram token (no network), no inherited configuration."""
    return {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "CLEF_CONFIG")}


def bot(config: Path, *command: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "bot", "--config", str(config), *command],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
    )


def prepare(folder: Path) -> tuple[Path, int]:
    """A configuration of the project's with its own database (migrated, demo directory loaded) and port; the
    model trained under var/nlu if it is not cached yet."""
    raw = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    port = free_port()
    raw["storage"]["url"] = f"sqlite:///{folder / 'clef.db'}"
    raw["web"]["port"] = port
    raw["web"]["public_url"] = f"http://127.0.0.1:{port}"
    raw["mail"]["outbox_dir"] = str(folder / "outbox")
    raw["linking"]["secret_key_file"] = str(folder / "secret.key")
    config = folder / "config.yml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    bot(config, "migrate")
    bot(config, "load-directory")
    bot(config, "parse", stdin="bonjour\n")  # trains when nothing is cached; reads the cache into the OS's
    return config, port


def ask(port: int, sender: str, text: str) -> list[dict[str, Any]] | None:
    """The web channel's answer, or None while nothing listens on the port yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = json.dumps({"sender": sender, "message": text})
        connection.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
    except ConnectionRefusedError:
        return None
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"the web channel answered {response.status}: {payload[:200]!r}")
    answer = json.loads(payload)
    assert isinstance(answer, list)
    return answer


def first_answer(config: Path, port: int, run: int) -> float:
    """Seconds from the start of `python -m bot run` to its first answer."""
    log = (config.parent / f"run-{run}.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, "-m", "bot", "--config", str(config), "run"], cwd=ROOT, env=child_env(), stdout=log, stderr=log
    )
    try:
        while True:
            answer = ask(port, f"startup-{run}", "bonjour")
            if answer:
                return time.perf_counter() - started
            if process.poll() is not None:
                raise RuntimeError(f"`bot run` exited ({process.returncode}): see {log.name}")
            if time.perf_counter() - started > 120:
                raise RuntimeError("no answer in 120 s")
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def parse_time(config: Path) -> float:
    started = time.perf_counter()
    done = bot(config, "parse", stdin="jarrive pas a me connecter a l'ent\n")
    elapsed = time.perf_counter() - started
    assert json.loads(done.stdout)["intent"]["name"]
    return elapsed


def import_profile(top: int = 6) -> tuple[float, list[tuple[str, float]]]:
    """The imports of the run path (`python -X importtime`): total seconds, and the packages taking the most."""
    done = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import bot.runtime"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=child_env(),
        check=True,
    )
    own: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[0].startswith("import time:") and parts[0].split(":")[1].strip().isdigit():
            own[parts[2].strip().split(".")[0]] += int(parts[0].split(":")[1])
    return sum(own.values()) / 1e6, [(name, us / 1e6) for name, us in own.most_common(top)]


@dataclass
class GcWatch:
    """Times every collection (`gc.callbacks`); those that happen while `in_turn` count for the turn."""

    in_turn: bool = False
    longest: float = 0.0
    longest_generation: int = -1
    turn_total: float = 0.0
    most_in_a_turn: float = 0.0
    collections: Counter[int] = field(default_factory=Counter)
    over_50ms: int = 0
    _started: float = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        if not self.in_turn:
            return
        self.collections[info["generation"]] += 1
        self.turn_total += pause
        self.over_50ms += pause > 0.05
        if pause > self.longest:
            self.longest, self.longest_generation = pause, info["generation"]

    def turn(self, handle: Any, message: Any) -> None:
        self.in_turn, self.turn_total = True, 0.0
        try:
            handle(message)
        finally:
            self.in_turn = False
            self.most_in_a_turn = max(self.most_in_a_turn, self.turn_total)


def rss_now() -> float:
    """The resident set of this process now, in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def full_collection() -> float:
    """Milliseconds of a full collection now: what a generation-2 collection would cost the turn it falls in."""
    started = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - started) * 1000


def peak_rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def memory_worker(messages: int, checkpoints: list[int], trace: bool) -> dict[str, Any]:
    """The memory and GC figures of one process (run in a fresh one by `memory`)."""
    from bench.latency import build, turns
    from bot.messages import InboundMessage
    from bot.runtime import settle

    figures: dict[str, Any] = {"rss_after_start": 0.0}
    with tempfile.TemporaryDirectory() as folder:
        assistant = build(Path(folder))
        settle()
        figures["rss_after_start"] = rss_now()
        figures["full_collections_ms"] = {0: full_collection()}
        figures["tracked"], figures["frozen"] = len(gc.get_objects()), gc.get_freeze_count()
        watch = GcWatch()
        gc.callbacks.append(watch)
        started = time.perf_counter()
        for sender, text in turns(messages):
            watch.turn(assistant.handle, InboundMessage(sender, text))
        figures["messages_seconds"] = time.perf_counter() - started
        figures["peak_after_messages"] = peak_rss()
        rss: dict[int, float] = {}
        snapshots = []
        started = time.perf_counter()
        for chat in range(max(checkpoints, default=0)):
            watch.turn(assistant.handle, InboundMessage(f"chat:{chat}", OPENERS[chat % len(OPENERS)]))
            if chat + 1 in checkpoints:
                figures["full_collections_ms"][chat + 1] = full_collection()
                rss[chat + 1] = rss_now()
                if trace:
                    if not tracemalloc.is_tracing():
                        tracemalloc.start(8)
                    snapshots.append(tracemalloc.take_snapshot())
        figures["chats_seconds"] = time.perf_counter() - started
        figures["rss_at_chats"] = rss
        figures["peak_at_end"] = peak_rss()
        gc.callbacks.remove(watch)
        figures["gc"] = {
            "longest_ms": watch.longest * 1000,
            "longest_generation": watch.longest_generation,
            "most_in_a_turn_ms": watch.most_in_a_turn * 1000,
            "over_50ms": watch.over_50ms,
            "collections": dict(sorted(watch.collections.items())),
            "turns": messages + max(checkpoints, default=0),
        }
        if len(snapshots) >= 2:
            growth = snapshots[-1].compare_to(snapshots[0], "lineno")
            figures["grew"] = [str(stat) for stat in growth[:10]]
        assistant.services.database.dispose()
    return figures


def memory(messages: int, checkpoints: list[int], trace: bool) -> dict[str, Any]:
    bot(ROOT / "config.yml", "parse", stdin="bonjour\n")  # the model cached first: the worker must not train it
    command = [PYTHON, __file__, "--worker", "--messages", str(messages), "--chats", *map(str, checkpoints)]
    done = subprocess.run(
        [*command, *(["--trace"] if trace else [])], cwd=ROOT, capture_output=True, text=True, env=child_env()
    )
    if done.returncode:
        raise RuntimeError(f"the memory worker failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return figures


def report_startup(answers: list[float], parses: list[float], imports: tuple[float, list[tuple[str, float]]]) -> None:
    runs = ", ".join(f"{t:.2f}" for t in answers)
    print(f"start-up, model cached, median of {len(answers)} fresh processes:")
    print(f"  first answer of `python -m bot run`: {statistics.median(answers):.2f} s (runs: {runs})")
    runs = ", ".join(f"{t:.2f}" for t in parses)
    print(f"  `python -m bot parse` of one line: {statistics.median(parses):.2f} s (runs: {runs})")
    total, top = imports
    print(f"  imports of the run path: {total:.2f} s; most: " + ", ".join(f"{n} {s:.2f} s" for n, s in top))


def report_memory(figures: dict[str, Any], messages: int) -> None:
    print("memory, one process:")
    print(f"  RSS after start-up: {figures['rss_after_start']:.0f} MB")
    rate = messages / figures["messages_seconds"]
    print(f"  peak RSS after {messages:,} messages: {figures['peak_after_messages']:.0f} MB ({rate:.0f} messages/s)")
    rss = {int(k): v for k, v in figures["rss_at_chats"].items()}
    if rss:
        chats = sorted(rss)
        print("  RSS after " + ", ".join(f"{n:,} chats {rss[n]:.1f} MB" for n in chats), end="")
        if len(chats) > 1:
            first, last = chats[0], chats[-1]
            per_chat = (rss[last] - rss[first]) * 2**20 / (last - first)
            print(f"; growth {rss[last] - rss[first]:+.1f} MB ({per_chat:+.0f} bytes a chat)", end="")
        print(f"; peak {figures['peak_at_end']:.0f} MB")
    for line in figures.get("grew", []):
        print(f"    grew: {line}")
    full = {int(k): v for k, v in figures["full_collections_ms"].items()}
    print(
        f"  a full collection: {full[0]:.1f} ms after start-up ({figures['tracked']:,} objects tracked, "
        f"{figures['frozen']:,} frozen)"
        + "".join(f", {ms:.1f} ms after {n:,} chats" for n, ms in sorted(full.items()) if n)
    )
    collected = figures["gc"]
    by_generation = ", ".join(f"gen{g} {n}" for g, n in collected["collections"].items())
    print(
        f"  GC in {collected['turns']:,} turns: longest pause {collected['longest_ms']:.1f} ms "
        f"(gen{collected['longest_generation']}), most in one turn {collected['most_in_a_turn_ms']:.1f} ms, "
        f"{collected['over_50ms']} pauses over 50 ms; collections: {by_generation}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes for each start-up figure")
    parser.add_argument("--messages", type=int, default=10_000, help="turns of the mix before the peak RSS")
    parser.add_argument("--chats", type=int, nargs="*", default=[10_000, 100_000], help="RSS after these chats")
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what grew between the checkpoints")
    parser.add_argument("--no-startup", action="store_true", help="the memory figures only")
    parser.add_argument("--no-memory", action="store_true", help="the start-up figures only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(memory_worker(args.messages, sorted(args.chats), args.trace)))
        return
    if not args.no_startup:
        with tempfile.TemporaryDirectory() as name:
            config, port = prepare(Path(name))
            answers = [first_answer(config, port, run) for run in range(args.repeat)]
            parses = [parse_time(config) for _ in range(args.repeat)]
        report_startup(answers, parses, import_profile())
    if not args.no_memory:
        report_memory(memory(args.messages, sorted(args.chats), args.trace), args.messages)


if __name__ == "__main__":
    main()
