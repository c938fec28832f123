"""`make bench`: throughput of both engines on the same scenarios, measured in one run.

Machines here are noisy, so what matters are ratios measured side by side: the
durable-rules engine against the reference evaluator (target >= 1/5), and absolute
reference throughput per core (target >= 20,000 scenarios/s), both on the CPU time of
this process, which other programs on a busy machine do not take away; the elapsed-time
rates are printed beside them. The two are measured in turns of 500 scenarios each, so
that a change of load during the run falls on both alike. Beside the durable rate:
durable-rules' own floor, one fact asserted to a one-rule ruleset, fired and retracted.
Each timed pass evaluates scenarios exactly as `evaluate` and `compare` do: every
node's status (the explanation tree), missing facts, open questions, notes and the
law-enforcement counterfactual. Serialising explanations to JSON is measured separately, because
`compare` never does it.

Memory: one child process evaluates N scenarios and reports its peak RSS at 10% and at
100% of N; flat means the ratio stays near 1.

Compare (issue 6): `compare` of us-law against rights-based-2007 on 100,000 generated
scenarios, each run in a fresh child process timed from the call to the summary (worker
start-up and rule compilation included): scenarios/second with 1 job and with 2 jobs
(target: 2 jobs >= 1.7x 1 job; the machine has 2 cores). Peak RSS (the largest of the
parent and its workers) of the same comparison with 2 jobs, per-scenario CSV rows
written to a file, on 10,000 and on 100,000 scenarios (target: <= 1.2x).

Column-wise (issue 16): the vector engine evaluates the same 10,000 scenarios as the
per-case engines above, as columns (every node, both law-enforcement worlds, dependency
levels, missing facts). Then `compare_columns` of 1,000,000 generated cases (stream
columns-1, generation and attribution included) with 1 and 2 jobs, in fresh child
processes like the compare above, against `compare` with the reference engine on a
smaller population (--reference-scenarios, 2 jobs) in the same run: target 1,000,000 in
<= 20 s with 2 jobs, and >= 20x the reference engine's throughput.

Expansion (issue 12): rights-based-2007 declares `expands: us-law`; with the vector
engine, on --expands-scenarios generated cases (default distribution, today) and as many
random scenarios (3/4 of facts known) spread over every date on which either rule set
changes, no provision met under us-law may be lost (target 0), with examples if one is.

Output (issue 16): `evaluate --format jsonl --detail summary --jobs 2` of 10,000 and of
100,000 generated cases written as scenario files beforehand (--output-scenarios), each
in a fresh child process: bytes per case (target <= 146 per provision: 1 KB for the
seven of issue 16) and the peak RSS of the command and its workers (target: 100,000
<= 1.2x 10,000).
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

from eligibility.analysis.evaluate import Evaluator  # noqa: E402
from eligibility.engine.durable import durable_floor  # noqa: E402
from eligibility.law.rulebook import default_registry  # noqa: E402
from eligibility.law.scenarios import Scenario  # noqa: E402

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


def throughput(
    evaluator: Evaluator, scenarios: list, *, serialise: bool = False
) -> tuple[float, float]:
    """Scenarios per second of elapsed time, and per second of this process's CPU time
    (one core's worth: what the per-core targets are about, and what other programs on a
    busy machine take away from the elapsed rate)."""
    for date in DATES:  # compile every version of the law outside the timed loop
        evaluator.evaluate({}, date)
    started, cpu = time.perf_counter(), time.process_time()
    for facts, date in scenarios:
        result = evaluator.evaluate(facts, date)
        if serialise:
            json.dumps(result.to_dict())
    elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    return len(scenarios) / elapsed, len(scenarios) / used


def interleaved_throughput(
    evaluators: dict[str, Evaluator], scenarios: list, *, chunk: int = 500
) -> dict[str, tuple[float, float]]:
    """`throughput` of several evaluators on the same scenarios, measured in turns of
    `chunk` scenarios each (reference, durable, reference, ...), so that a change in
    the machine's load during the run falls on all of them alike and their ratio stays
    meaningful; one after the other, a busy minute could land on one engine only."""
    for evaluator in evaluators.values():
        for date in DATES:  # compile every version of the law outside the timed loop
            evaluator.evaluate({}, date)
    elapsed = dict.fromkeys(evaluators, 0.0)
    used = dict.fromkeys(evaluators, 0.0)
    for start in range(0, len(scenarios), chunk):
        part = scenarios[start : start + chunk]
        for name, evaluator in evaluators.items():
            began, cpu = time.perf_counter(), time.process_time()
            for facts, date in part:
                evaluator.evaluate(facts, date)
            elapsed[name] += time.perf_counter() - began
            used[name] += time.process_time() - cpu
    return {
        name: (len(scenarios) / elapsed[name], len(scenarios) / used[name]) for name in evaluators
    }


def peak_rss_kib() -> int:
    """Peak RSS of this process since it started its program, in KiB.

    Not `ru_maxrss`: Linux carries that across exec, so a child started from this
    (large) benchmark process would report the benchmark's own peak. VmHWM belongs to
    the running program alone.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:  # pragma: no cover - not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


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
        if done in (tenth, count):
            checkpoints.append(peak_rss_kib())
    print(json.dumps(checkpoints))


COMPARE_SIDES = ("us-law", "rights-based-2007")


def compare_child(count: int, jobs: int, rows: bool, seed: int, engine: str = "durable") -> None:
    """Run in a child: one comparison; print elapsed seconds, peak RSS (KiB) of this
    process and of its (finished) workers, and a digest of the summary."""
    import tempfile

    from eligibility.population.compare import compare, csv_header

    if engine == "vector":
        from eligibility.population.vector_compare import compare_columns

        started = time.perf_counter()
        comparison = compare_columns(*COMPARE_SIDES, generate=count, seed=seed, jobs=jobs)
        elapsed = time.perf_counter() - started
        report_child(comparison, elapsed)
        return

    with (
        tempfile.TemporaryDirectory() as directory,
        open(Path(directory) / "rows.csv", "w", encoding="utf-8", newline="") as out,
    ):
        if rows:
            out.write(csv_header())
        started = time.perf_counter()
        comparison = compare(
            *COMPARE_SIDES,
            generate=count,
            seed=seed,
            engine=engine,
            jobs=jobs,
            rows="csv" if rows else None,
            write_rows=out.write if rows else None,
        )
        elapsed = time.perf_counter() - started
    report_child(comparison, elapsed)


def report_child(comparison: object, elapsed: float) -> None:
    """Print one comparison's measurements as the last line of a child's output."""
    import hashlib

    summary = json.dumps(comparison.to_dict(), sort_keys=True)  # type: ignore[attr-defined]
    own, workers = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "cpu": own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime,
                "rss_self": peak_rss_kib(),
                # workers are forked, never exec'd: their ru_maxrss is their own peak
                "rss_workers": workers.ru_maxrss,
                "digest": hashlib.sha256(summary.encode()).hexdigest(),
                "changed": comparison.changed(),  # type: ignore[attr-defined]
            }
        )
    )


def run_compare_child(
    count: int, jobs: int, *, rows: bool, seed: int, engine: str = "durable"
) -> dict:
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--compare-child",
            str(count),
            str(jobs),
            "rows" if rows else "summary",
            str(seed),
            engine,
        ],
        capture_output=True,
        text=True,
    )
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        raise SystemExit(
            f"compare of {count:,} scenarios with {jobs} job(s), {engine} engine, failed "
            f"(exit {child.returncode})"
        )
    return json.loads(child.stdout.strip().splitlines()[-1])


def bench_compare(count: int, seed: int) -> None:
    small = max(1, count // 10)
    print(
        f"compare {COMPARE_SIDES[0]} vs {COMPARE_SIDES[1]} (today) on generated "
        f"scenarios (distribution default, seed {seed}), durable engine, each run in a "
        f"fresh process, start-up included"
    )
    one = run_compare_child(count, 1, rows=False, seed=seed)
    two = run_compare_child(count, 2, rows=False, seed=seed)
    rate_one, rate_two = count / one["elapsed"], count / two["elapsed"]
    speedup = rate_two / rate_one
    for jobs, run in ((1, one), (2, two)):
        # the share of `jobs` cores our processes got: well below 1 means that other
        # programs competed for the CPU, and the ratio below is not meaningful
        share = run["cpu"] / (run["elapsed"] * jobs)
        print(
            f"  {jobs} job{'s' if jobs > 1 else ' '}  {count:,} scenarios in "
            f"{run['elapsed']:6.1f} s  {count / run['elapsed']:8,.0f} scenarios/s  "
            f"(used {share:4.0%} of {jobs} core{'s' if jobs > 1 else ''})"
        )
    print(
        f"  ratio 2 jobs / 1 job        {speedup:10.2f}                         "
        f"target >= 1.70    {verdict(speedup >= 1.7)}"
    )
    if two["cpu"] / (two["elapsed"] * 2) < 0.85:
        print(
            f"  warning: other programs were using the CPU (load average "
            f"{os.getloadavg()[0]:.1f}); run `make bench` on an idle machine"
        )
    same = one["digest"] == two["digest"]
    print(
        f"  summaries of 1 and 2 jobs identical: {'yes' if same else 'NO'} "
        f"({one['changed']:,} provision changes)                  {verdict(same)}"
    )
    low = run_compare_child(small, 2, rows=True, seed=seed)
    high = run_compare_child(count, 2, rows=True, seed=seed)
    peak_low = max(low["rss_self"], low["rss_workers"])
    peak_high = max(high["rss_self"], high["rss_workers"])
    growth = peak_high / peak_low
    print(
        f"  peak RSS, 2 jobs, rows to CSV: {peak_low / 1024:.0f} MiB for {small:,} "
        f"scenarios, {peak_high / 1024:.0f} MiB for {count:,} (x{growth:.2f})  "
        f"target <= x1.2  {verdict(growth <= 1.2)}"
    )
    print(
        f"    (parent {high['rss_self'] / 1024:.0f} MiB, largest worker "
        f"{high['rss_workers'] / 1024:.0f} MiB; 1 job: "
        f"{one['rss_self'] / 1024:.0f} MiB for {count:,})"
    )


def vector_throughput(scenarios: list) -> tuple[float, float]:
    """Scenarios/second of the vector engine on the scenarios of the per-case
    measurement, evaluated per date (every node, both law-enforcement worlds, the
    dependency level and missing facts of every provision): including the encoding of
    the fact dicts as columns, and without it."""
    from eligibility.engine.vector import VectorEngine

    book = default_registry().load("us-law")
    vocabulary = book.vocabulary
    engine = VectorEngine(
        {n: vocabulary[n].type for n in vocabulary},
        {n: tuple(vocabulary[n].values) for n in vocabulary},
    )
    for date in DATES:  # compile every version of the law outside the timed part
        engine.compile(book.at(date).plan)
    started = time.perf_counter()
    by_date: dict = {}
    for facts, date in scenarios:
        by_date.setdefault(date, []).append(facts)
    batches = {date: engine.codec.encode(rows) for date, rows in by_date.items()}
    encoded = time.perf_counter()
    for date, batch in batches.items():
        plan = book.at(date).plan
        evaluation = engine.compile(plan).evaluate(batch)
        for pid in plan.provisions:
            evaluation.levels(plan.roots[pid])
            evaluation.missing(plan.roots[pid])
    ended = time.perf_counter()
    return len(scenarios) / (ended - started), len(scenarios) / (ended - encoded)


def bench_vector(count: int, reference_count: int, seed: int) -> None:
    print(
        f"compare_columns {COMPARE_SIDES[0]} vs {COMPARE_SIDES[1]} (today), vector engine, "
        f"{count:,} generated cases (distribution default, stream columns-1, seed {seed}), "
        f"generation and attribution included, each run in a fresh process"
    )
    reference = run_compare_child(reference_count, 2, rows=False, seed=seed, engine="python")
    one = run_compare_child(count, 1, rows=False, seed=seed, engine="vector")
    two = run_compare_child(count, 2, rows=False, seed=seed, engine="vector")
    reference_rate = reference_count / reference["elapsed"]
    for label, runs, run in (
        ("reference", reference_count, reference),
        ("vector, 1 job", count, one),
        ("vector, 2 jobs", count, two),
    ):
        jobs = 1 if label.endswith("1 job") else 2
        share = run["cpu"] / (run["elapsed"] * jobs)
        print(
            f"  {label:15} {runs:>9,} cases in {run['elapsed']:6.1f} s  "
            f"{runs / run['elapsed']:10,.0f} cases/s  (used {share:4.0%} of {jobs} "
            f"core{'s' if jobs > 1 else ''})"
        )
    print(
        f"    (reference: `compare --engine python`, 2 jobs, on {reference_count:,} cases "
        f"of the per-case stream, for time's sake)"
    )
    print(
        f"  {count:,} cases with 2 jobs in {two['elapsed']:.1f} s                     "
        f"target <= 20 s    {verdict(two['elapsed'] <= 20)}"
    )
    ratio = count / two["elapsed"] / reference_rate
    print(
        f"  ratio vector / reference, 2 jobs each {ratio:8.1f}                  "
        f"target >= 20      {verdict(ratio >= 20)}"
    )
    same = one["digest"] == two["digest"]
    print(
        f"  summaries of 1 and 2 jobs identical: {'yes' if same else 'NO'} "
        f"({one['changed']:,} provision changes)                  {verdict(same)}"
    )
    print(
        f"  peak RSS: {max(one['rss_self'], one['rss_workers']) / 1024:.0f} MiB with 1 job, "
        f"{max(two['rss_self'], two['rss_workers']) / 1024:.0f} MiB per process with 2"
    )


def write_case_files(directory: Path, first: int, count: int, seed: int) -> None:
    """`count` generated cases (stream columns-1) as JSON scenario files."""
    from eligibility.population.columns import ColumnGenerator
    from eligibility.population.distributions import load_distribution

    vocabulary = default_registry().vocabulary
    generator = ColumnGenerator(load_distribution("default", vocabulary), vocabulary)
    directory.mkdir(parents=True, exist_ok=True)
    for sid, facts in generator.generate(count, seed, start=first):
        plain = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in facts.items()}
        (directory / f"{sid}.json").write_text(json.dumps({"id": sid, "facts": plain}))


def evaluate_child(out: str, directories: list[str]) -> None:
    """Run in a child: `evaluate DIRS --format jsonl --detail summary --jobs 2`, as a
    user runs it; print elapsed seconds and the peak RSS of it and of its workers."""
    from eligibility.cli import main as cli_main

    started = time.perf_counter()
    code = cli_main(
        ["evaluate", *directories, "--format", "jsonl", "--detail", "summary"]
        + ["--jobs", "2", "--progress", "none", "--out", out]
    )
    elapsed = time.perf_counter() - started
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "code": code,
                "elapsed": elapsed,
                "rss_self": peak_rss_kib(),
                "rss_workers": workers.ru_maxrss,
            }
        )
    )


def bench_evaluate_output(count: int, seed: int) -> None:
    """`evaluate --detail summary --format jsonl` of count/10 and of count cases
    (scenario files written beforehand): bytes per case, and peak memory flat."""
    import shutil
    import tempfile

    small = max(1, count // 10)
    print(
        f"evaluate --format jsonl --detail summary --jobs 2 of {small:,} and {count:,} "
        f"generated cases (scenario files, us-law today, durable engine)"
    )
    directory = Path(tempfile.mkdtemp(prefix="eligibility-bench-"))
    try:
        write_case_files(directory / "first", 0, small, seed)
        write_case_files(directory / "rest", small, count - small, seed)
        runs = {}
        for n, parts in ((small, ["first"]), (count, ["first", "rest"])):
            out = directory / f"out-{n}.jsonl"
            child = subprocess.run(
                [sys.executable, __file__, "--evaluate-child", str(out)]
                + [str(directory / part) for part in parts],
                capture_output=True,
                text=True,
            )
            if child.returncode != 0:
                sys.stderr.write(child.stderr)
                raise SystemExit(f"evaluate of {n:,} cases failed (exit {child.returncode})")
            runs[n] = json.loads(child.stdout.strip().splitlines()[-1])
            runs[n]["bytes"] = out.stat().st_size
            out.unlink()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    per_case = runs[count]["bytes"] / count
    # Issue 16 asked for at most about 1 KB per case when there were seven provisions;
    # each provision carries at least its status and law-enforcement level, so the
    # budget is kept per provision (1,024 / 7 = 146 bytes) as provisions are added.
    provisions = len(default_registry().load("us-law").sources)
    budget = 1024 / 7 * provisions
    print(
        f"  {count:,} cases in {runs[count]['elapsed']:.1f} s "
        f"({count / runs[count]['elapsed']:,.0f} cases/s); "
        f"{per_case:,.0f} bytes per case, {per_case / provisions:,.0f} per provision  "
        f"target <= {budget:,.0f} (146 per provision)  {verdict(per_case <= budget)}"
    )
    low = max(runs[small]["rss_self"], runs[small]["rss_workers"])
    high = max(runs[count]["rss_self"], runs[count]["rss_workers"])
    growth = high / low
    print(
        f"  peak RSS {low / 1024:.0f} MiB for {small:,} cases, {high / 1024:.0f} MiB for "
        f"{count:,} (x{growth:.2f}; parent {runs[count]['rss_self'] / 1024:.0f} MiB, largest "
        f"worker {runs[count]['rss_workers'] / 1024:.0f} MiB)  target <= x1.2  "
        f"{verdict(growth <= 1.2)}"
    )


EXPANSIONS = (("us-law", "rights-based-2007"),)  # (base, the overlay that `expands` it)


def expansion_scenarios(count: int, seed: int, dates: list[dt.date]) -> list[Scenario]:
    """Random scenarios as `generate` draws them (each fact known with probability 3/4,
    so ages are often unknown), each on one of `dates`."""
    rng = random.Random(seed)
    drawn = generate(count, seed)
    return [
        Scenario(f"expands-{number}", facts, as_of=rng.choice(dates))
        for number, (facts, _) in enumerate(drawn)
    ]


def bench_expands(count: int, seed: int) -> None:
    """Issue 12: an overlay that declares `expands: BASE` takes nothing away. On `count`
    generated cases of the default distribution (today), and on `count` random scenarios
    spread over every date on which either rule set changes, with the vector engine: no
    provision met under BASE may be anything but met under the overlay."""
    from eligibility.population.vector_compare import compare_columns

    registry = default_registry()
    for base, overlay in EXPANSIONS:
        declared = registry.load(overlay).expands
        assert declared is not None and declared.name == base, f"{overlay} expands {base}"
        dates = sorted(
            {*registry.load(base).change_dates, *registry.load(overlay).change_dates, *DATES}
        )
        print(f"{overlay} expands {base}: nothing met under {base} is lost, vector engine, 2 jobs")
        runs: list[tuple[str, dict]] = [
            (
                f"{count:,} generated cases (distribution default, today)",
                {"generate": count, "seed": seed},
            ),
            (
                f"{count:,} random scenarios on {len(dates)} dates (every change of "
                f"either rule set)",
                {"scenarios": expansion_scenarios(count, seed, dates)},
            ),
        ]
        for label, population in runs:
            started = time.perf_counter()
            comparison = compare_columns(base, overlay, jobs=2, **population)
            elapsed = time.perf_counter() - started
            document = comparison.to_dict()
            lost = {pid: e["lost"]["count"] for pid, e in document["provisions"].items()}
            met = sum(e["status"]["a"]["met"]["count"] for e in document["provisions"].values())
            total = sum(lost.values())
            print(
                f"  {label}: {met:,} provisions met under {base}, {total:,} lost "
                f"({elapsed:.1f} s)    target 0    {verdict(total == 0)}"
            )
            for pid, entry in document["provisions"].items():
                for t in entry["transitions"]:
                    if t["from"] == "met" and t["to"] != "met":
                        print(
                            f"    {pid}: met -> {t['to']} for {t['count']:,}, "
                            f"e.g. {', '.join(t['examples'])}"
                        )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--memory-scenarios", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--compare-scenarios", type=int, default=100_000)
    parser.add_argument("--vector-scenarios", type=int, default=1_000_000)
    parser.add_argument("--reference-scenarios", type=int, default=50_000)
    parser.add_argument(
        "--only-compare", action="store_true", help="run only the compare benchmark"
    )
    parser.add_argument(
        "--only-vector", action="store_true", help="run only the column-wise benchmark"
    )
    parser.add_argument(
        "--only-engines",
        action="store_true",
        help="run only the per-case engines (reference, durable, vector on the same scenarios)",
    )
    parser.add_argument("--output-scenarios", type=int, default=100_000)
    parser.add_argument(
        "--only-output", action="store_true", help="run only the evaluate output benchmark"
    )
    parser.add_argument("--expands-scenarios", type=int, default=100_000)
    parser.add_argument(
        "--only-expands",
        action="store_true",
        help="run only the check that rights-based-2007 loses nothing against us-law",
    )
    parser.add_argument("--evaluate-child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--compare-child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, "durable")
        return 0
    if args.compare_child:
        count, jobs, rows, seed, engine = args.compare_child
        compare_child(int(count), int(jobs), rows == "rows", int(seed), engine)
        return 0
    if args.only_compare:
        bench_compare(args.compare_scenarios, args.seed)
        return 0
    if args.only_vector:
        bench_vector(args.vector_scenarios, args.reference_scenarios, args.seed)
        return 0
    if args.evaluate_child:
        evaluate_child(args.evaluate_child[0], args.evaluate_child[1:])
        return 0
    if args.only_output:
        bench_evaluate_output(args.output_scenarios, args.seed)
        return 0
    if args.only_expands:
        bench_expands(args.expands_scenarios, args.seed)
        return 0

    print(
        f"eligibility benchmark: Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    registry = default_registry()
    book = registry.load("us-law")
    scenarios = generate(args.scenarios, args.seed)
    print(
        f"{len(scenarios):,} generated scenarios (3/4 of facts known), us-law at "
        f"{', '.join(d.isoformat() for d in DATES)}"
    )
    rates = interleaved_throughput(
        {"python": Evaluator(book, "python"), "durable": Evaluator(book, "durable")}, scenarios
    )
    (reference_wall, reference), (durable_wall, durable) = rates["python"], rates["durable"]
    ratio = durable / reference
    print(
        f"  reference evaluator (python)  {reference:10,.0f} scenarios/s per core  "
        f"target >= 20,000  {verdict(reference >= 20_000)}"
    )
    print(f"  durable-rules engine          {durable:10,.0f} scenarios/s per core")
    vector, evaluated = vector_throughput(scenarios)
    print(
        f"  vector engine (columns)       {vector:10,.0f} scenarios/s on one core  "
        f"(x{vector / reference_wall:.0f} the reference; x{evaluated / reference_wall:.0f}, "
        f"{evaluated:,.0f}/s, once the fact dicts are columns)"
    )
    print(
        f"  ratio durable / reference     {ratio:10.2f}                         "
        f"target >= 0.20    {verdict(ratio >= 0.2)}"
    )
    print(
        f"    (per core: CPU time of this process; elapsed: reference {reference_wall:,.0f}/s, "
        f"durable {durable_wall:,.0f}/s, ratio {durable_wall / reference_wall:.2f})"
    )
    floor = durable_floor()
    print(
        f"    durable-rules' own floor: {floor * 1e6:.1f} us to assert one fact to a "
        f"one-rule ruleset, run its action and retract it ({1 / floor:,.0f}/s); a durable "
        f"scenario takes {1e6 / durable:.0f} us"
    )
    reference_json = throughput(Evaluator(book, "python"), scenarios[:2000], serialise=True)[1]
    durable_json = throughput(Evaluator(book, "durable"), scenarios[:2000], serialise=True)[1]
    print(
        f"  with every explanation serialised to JSON: reference {reference_json:,.0f}/s, "
        f"durable {durable_json:,.0f}/s (ratio {durable_json / reference_json:.2f})"
    )
    print(f"  peak RSS of this process: {peak_rss_kib() / 1024:.0f} MiB")
    if args.only_engines:
        return 0

    n = args.memory_scenarios
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(n)],
        capture_output=True,
        text=True,
        check=True,
    )
    at_tenth, at_end = json.loads(child.stdout.strip().splitlines()[-1])
    growth = at_end / at_tenth
    print(
        f"memory, durable engine, one process: peak RSS {at_tenth / 1024:.0f} MiB after "
        f"{n // 10:,} scenarios, {at_end / 1024:.0f} MiB after {n:,} (x{growth:.2f})  "
        f"target <= x1.2  {verdict(growth <= 1.2)}"
    )
    bench_compare(args.compare_scenarios, args.seed)
    bench_vector(args.vector_scenarios, args.reference_scenarios, args.seed)
    bench_evaluate_output(args.output_scenarios, args.seed)
    bench_expands(args.expands_scenarios, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
