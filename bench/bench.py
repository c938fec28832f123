"""`make bench`: throughput of both engines on the same scenarios, measured in one run.

Machines here are noisy, so what matters are ratios measured side by side: the
durable-rules engine against the reference evaluator (target >= 1/5), and absolute
reference throughput on one core (target >= 20,000 scenarios/s). Each timed pass
evaluates scenarios exactly as `evaluate` and `compare` do: every node's status (the
explanation tree), missing facts, open questions, notes and the law-enforcement
counterfactual. Serialising explanations to JSON is measured separately, because
`compare` never does it.

Memory: one child process evaluates N scenarios and reports its peak RSS at 10% and at
100% of N; flat means the ratio stays near 1.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eligibility.evaluate import Evaluator  # noqa: E402
from eligibility.rulebook import default_registry  # noqa: E402

DATES = [dt.date(2002, 6, 1), dt.date(2010, 6, 1), dt.date(2025, 6, 1)]


def generate(count: int, seed: int) -> list[tuple[dict, dt.date]]:
    """Random scenarios: each fact known with probability 3/4, values uniform."""
    vocabulary = default_registry().vocabulary
    rng = random.Random(seed)
    scenarios = []
    for _ in range(count):
        facts: dict = {}
        for name in vocabulary.names():
            fact = vocabulary[name]
            if rng.random() < 0.25:
                continue
            if fact.type == "bool":
                facts[name] = rng.random() < 0.5
            elif fact.type == "int":
                facts[name] = rng.randint(5, 40)
            elif fact.type == "enum":
                facts[name] = rng.choice(list(fact.values))
            else:
                facts[name] = frozenset(v for v in fact.values if rng.random() < 0.3)
        scenarios.append((facts, rng.choice(DATES)))
    return scenarios


def throughput(evaluator: Evaluator, scenarios: list, *, serialise: bool = False) -> float:
    for date in DATES:  # compile every version of the law outside the timed loop
        evaluator.evaluate({}, date)
    started = time.perf_counter()
    for facts, date in scenarios:
        result = evaluator.evaluate(facts, date)
        if serialise:
            json.dumps(result.to_dict())
    return len(scenarios) / (time.perf_counter() - started)


def memory_child(count: int, engine: str) -> None:
    """Run in a child: evaluate `count` scenarios, print peak RSS (KiB) at 10% and 100%."""
    evaluator = Evaluator(default_registry().load("us-law"), engine)
    checkpoints = []
    tenth = count // 10
    rng_seed = 11
    done = 0
    while done < count:  # generate in chunks so the input list does not dominate memory
        for facts, date in generate(min(tenth, count - done), rng_seed + done):
            evaluator.evaluate(facts, date)
        done += min(tenth, count - done)
        if done == tenth or done == count:
            checkpoints.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps(checkpoints))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--memory-scenarios", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, "durable")
        return 0

    print(f"eligibility benchmark: Python {platform.python_version()}, "
          f"{os.cpu_count()} cores, {platform.machine()}")
    registry = default_registry()
    book = registry.load("us-law")
    scenarios = generate(args.scenarios, args.seed)
    print(f"{len(scenarios):,} generated scenarios (3/4 of facts known), us-law at "
          f"{', '.join(d.isoformat() for d in DATES)}")
    reference = throughput(Evaluator(book, "python"), scenarios)
    durable = throughput(Evaluator(book, "durable"), scenarios)
    ratio = durable / reference
    print(f"  reference evaluator (python)  {reference:10,.0f} scenarios/s on one core  "
          f"target >= 20,000  {verdict(reference >= 20_000)}")
    print(f"  durable-rules engine          {durable:10,.0f} scenarios/s on one core")
    print(f"  ratio durable / reference     {ratio:10.2f}                         "
          f"target >= 0.20    {verdict(ratio >= 0.2)}")
    reference_json = throughput(Evaluator(book, "python"), scenarios[:2000], serialise=True)
    durable_json = throughput(Evaluator(book, "durable"), scenarios[:2000], serialise=True)
    print(f"  with every explanation serialised to JSON: reference {reference_json:,.0f}/s, "
          f"durable {durable_json:,.0f}/s (ratio {durable_json / reference_json:.2f})")
    print(f"  peak RSS of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    n = args.memory_scenarios
    child = subprocess.run([sys.executable, __file__, "--memory-child", str(n)],
                           capture_output=True, text=True, check=True)
    at_tenth, at_end = json.loads(child.stdout.strip().splitlines()[-1])
    growth = at_end / at_tenth
    print(f"memory, durable engine, one process: peak RSS {at_tenth / 1024:.0f} MiB after "
          f"{n // 10:,} scenarios, {at_end / 1024:.0f} MiB after {n:,} (x{growth:.2f})  "
          f"target <= x1.2  {verdict(growth <= 1.2)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
