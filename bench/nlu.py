"""NLU figures: training time, parse latency p50/p99 over 2,000 utterances (a third of them with typos), peak memory.

Run: `.venv/bin/python bench/nlu.py`. Prints figures; asserts nothing.
`--study` also compares the robustness options (spelling corrector, augmentation) by 5-fold cross-validation
on test folds perturbed like the held-out robustness report (slow: several minutes).
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measures import percentile  # noqa: E402
from bot.nlu.evaluate import study_options  # noqa: E402
from bot.nlu.model import NluModel  # noqa: E402
from bot.nlu.multi import parse_message  # noqa: E402
from bot.nlu.perturb import PERTURBATIONS, typos  # noqa: E402
from bot.nlu.training_data import load_training_data  # noqa: E402


def main() -> None:
    data = load_training_data(ROOT / "knowledge" / "nlu.yml")
    heldout_path = ROOT / "tests" / "data" / "nlu_heldout.yml"
    utterances = [e.text for e in data.examples]
    if heldout_path.exists():
        utterances = [e.text for e in load_training_data(heldout_path).examples] + utterances
    utterances = (utterances * (2000 // len(utterances) + 1))[:2000]
    utterances = [typos(text, 8, i) if i % 3 == 0 else text for i, text in enumerate(utterances)]
    for kind in ("logreg", "svm"):
        tracemalloc.start()
        started = time.perf_counter()
        model = NluModel.train(data, kind=kind)
        training = time.perf_counter() - started
        _, training_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        latencies = []
        for text in utterances:
            started = time.perf_counter()
            parse_message(model, text)
            latencies.append((time.perf_counter() - started) * 1000)
        print(f"{kind}: {len(data.examples)} examples, {len(model.intents)} intents")
        print(f"  training {training:.2f} s (peak Python memory {training_peak / 2**20:.1f} MiB)")
        print(
            f"  parse p50 {percentile(latencies, 50):.2f} ms, p99 {percentile(latencies, 99):.2f} ms"
            f" over {len(latencies)} utterances"
        )
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if "--study" in sys.argv:
        print("\nrobustness options, 5-fold CV accuracy (clean, then test folds perturbed):")
        print("options | clean | " + " | ".join(PERTURBATIONS))
        for name, clean, noisy in study_options(data, 5, "logreg"):
            print(f"{name} | {clean:.3f} | " + " | ".join(f"{noisy[n]:.3f}" for n in PERTURBATIONS))


if __name__ == "__main__":
    main()
