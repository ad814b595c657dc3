#!/usr/bin/env python3
"""`strata analyze --threads 1 --no-duplicate-check` against the bare C newline-and-comma counter
(Benchmarks/scan_c/count_fields.c) over the same file: issue 17's "near the limit" comparison. Both read the
file from the page cache (it is read once first); CPU is user + system time of each child from wait4
(microseconds, unlike /usr/bin/time's 10 ms), each round runs both once (interleaved), and the summary gives
min / median / max of each and of the per-round ratio. The counter is compiled here with `cc -O2`.

    python3 Benchmarks/analyze_vs_c.py [--rounds 7] [--data bench-data/analyze-10000000.csv]
                                       [--strata .build/release/strata] [--before OTHER-STRATA]
With --before, a second strata binary (e.g. a build of the commit before a change) runs in the same rounds, and
its ratio to the counter and the ratio of the two binaries are printed too.
The data file comes from Benchmarks/analyze_bench_data.py (10 M rows, 230 MB)."""
import argparse
import os
import pathlib
import statistics
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def cpu_seconds(argv):
    """Runs argv with stdout to /dev/null; returns (user + system, user) in seconds."""
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.execv(argv[0], argv)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"analyze_vs_c.py: {' '.join(argv)} failed")
    return usage.ru_utime + usage.ru_stime, usage.ru_utime


def summary(values):
    values = sorted(values)
    return f"{values[0]:.3f} / {statistics.median(values):.3f} / {values[-1]:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--data", default=str(ROOT / "bench-data" / "analyze-10000000.csv"))
    parser.add_argument("--strata", default=str(ROOT / ".build" / "release" / "strata"))
    parser.add_argument("--before", help="another strata binary to run in the same rounds")
    args = parser.parse_args()
    data = pathlib.Path(args.data)
    if not data.exists():
        raise SystemExit(f"analyze_vs_c.py: {data} does not exist; make it with "
                         f"python3 Benchmarks/analyze_bench_data.py --rows 10000000 --out {data}")
    with tempfile.TemporaryDirectory() as work:
        counter = os.path.join(work, "count_fields")
        subprocess.run(["cc", "-O2", "-o", counter, str(ROOT / "Benchmarks" / "scan_c" / "count_fields.c")],
                       check=True)
        with open(data, "rb") as f:  # into the page cache, so both read from memory
            while f.read(1 << 24):
                pass
        def analyze(strata):
            return [strata, "analyze", "--experiment", str(ROOT / "Benchmarks" / "analyze_bench.yaml"),
                    "--data", str(data), "--json", "--no-look-log", "--threads", "1", "--no-duplicate-check"]
        configurations = {
            "C counter": [counter, str(data)],
            "analyze --threads 1 --no-duplicate-check": analyze(args.strata),
        }
        if args.before:
            configurations["the same, --before binary"] = analyze(args.before)
        size_mb = data.stat().st_size / 1e6
        print(f"{data} ({size_mb:.0f} MB), {args.rounds} interleaved rounds, {os.cpu_count()} cores")
        results = {name: [] for name in configurations}
        for round_number in range(1, args.rounds + 1):
            load = open("/proc/loadavg").read().split()[:3]
            line = []
            for name, argv in configurations.items():
                cpu, user = cpu_seconds(argv)
                results[name].append((cpu, user))
                line.append(f"{name} {cpu:.3f} s")
            print(f"round {round_number} (load average {' '.join(load)}): " + "; ".join(line))
        names = list(configurations)
        for name in names:
            cpu = [c for c, _ in results[name]]
            print(f"{name:42} CPU min / median / max {summary(cpu)} s "
                  f"({size_mb / statistics.median(cpu):.0f} MB/s at the median)")
        c_name, strata_name = names[:2]

        def ratios(top, bottom):
            cpu = [s[0] / c[0] for s, c in zip(results[top], results[bottom])]
            user = [s[1] / c[1] for s, c in zip(results[top], results[bottom])]
            return f"CPU {summary(cpu)}, user time {summary(user)}"
        print(f"analyze / C counter, per round: {ratios(strata_name, c_name)} "
              f"(min / median / max; the issue's goal: <= 2.0)")
        if args.before:
            before_name = names[2]
            print(f"before / C counter, per round: {ratios(before_name, c_name)}")
            print(f"analyze / before, per round: {ratios(strata_name, before_name)}")


if __name__ == "__main__":
    main()
