#!/usr/bin/env python3
"""Start-up CPU of `strata` builds, side by side: user + system time (from wait4) of a plain
`strata calc proportions` and `strata --help`, 20 runs per binary and command per round, the median
of each round, rounds interleaved.

    python3 Benchmarks/startup.py dynamic=.build/release/strata static=/path/to/static/strata [--rounds 5]

Build a static binary with `swift build -c release --static-swift-stdlib` (what Scripts/install.sh does).
With --assign the commands are instead one unit of `strata assign` and `strata validate` of
experiments/gym-renewal.yaml (run from the repository's root): the start-up of loading a definition."""
import argparse
import os
import statistics

COMMANDS = {
    "calc proportions": ["calc", "proportions", "--a", "300,2000", "--b", "255,2000"],
    "--help": ["--help"],
}
ASSIGN_COMMANDS = {
    "assign --unit": [
        "assign", "--experiment", "experiments/gym-renewal.yaml", "--unit", "M-1001", "--attr", "marketing_opt_in=true",
        "--attr", "membership_months=14", "--attr", "status=active", "--attr", "checkins_90d=30",
    ],
    "validate": ["validate", "experiments/gym-renewal.yaml"],
}


def median_cpu_ms(argv, runs):
    samples = []
    for _ in range(runs):
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.execv(argv[0], argv)
        _, status, usage = os.wait4(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"startup.py: {' '.join(argv)} failed")
        samples.append((usage.ru_utime + usage.ru_stime) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binaries", nargs="+", help="label=path")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--assign", action="store_true", help="time assign and validate of gym-renewal.yaml")
    args = parser.parse_args()
    if args.assign:
        COMMANDS.clear()
        COMMANDS.update(ASSIGN_COMMANDS)
    binaries = dict(item.split("=", 1) for item in args.binaries)
    results = {(label, command): [] for label in binaries for command in COMMANDS}
    for round_index in range(args.rounds):
        for command, extra in COMMANDS.items():
            for label, path in binaries.items():
                results[(label, command)].append(median_cpu_ms([path] + extra, args.runs))
        print(f"round {round_index + 1}: load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
    for (label, command), values in results.items():
        ordered = sorted(values)
        print(
            f"{command:17s} {label:10s} min {ordered[0]:.1f}  median {statistics.median(ordered):.1f}"
            f"  max {ordered[-1]:.1f} ms"
        )
    labels = list(binaries)
    for other in labels[1:]:
        for command in COMMANDS:
            ratios = [o / b for o, b in zip(results[(other, command)], results[(labels[0], command)])]
            print(f"{command}: {other} / {labels[0]} per round: {', '.join(f'{r:.2f}' for r in ratios)}")


if __name__ == "__main__":
    main()
