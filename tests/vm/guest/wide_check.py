#!/usr/bin/env python3
"""Checks irqlab's JSON on the wide test box (wide.sh): more CPUs and vectors
than 64, so that every per-CPU and per-vector record must reach past 63.

usage: wide_check.py MODE [options] < JSON

vectors   'irqlab vectors --json': --nr-vectors N vectors, numbered 0..N-1,
          each with its own IRQ; with --vector V --cpu C, vector V's
          affinity and effective affinity are both exactly "C"
accounts  'irqlab fire --json' (--fire) or 'irqlab stats BDF --json' (the
          default), counters reset before the run; --vectors LIST names the
          vectors that must be there and only those count; for each of them
          fired == --count, fired + unexpected == received + coalesced +
          busy and handled ==
          received (exact accounting), and every vector's per-CPU list holds
          each of the --cpus N CPUs once (the JSON carries every CPU, not
          only the busy ones). Where each vector's arrivals landed:
            --cpu C         all of them on CPU C
            --map V:C,...   vector V's all on CPU C (every V in --vectors)
          Per CPU, the arrivals counted on a CPU are exactly those of the
          vectors sent there: nothing lands on any other CPU.
on-cpu    'irqlab stats BDF --json' after a compare run: every vector of
          --vectors received something, and all of it on --cpu C

Vector lists are comma-separated numbers and ranges (0-127). Prints what it
found wrong, one '#' line each; exit status 0 when the check holds.
"""
import argparse
import json
import sys


def number_list(text):
    """'0-3,64' -> [0, 1, 2, 3, 64]"""
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def vector_map(text):
    """'64:64,65:65' -> {64: 64, 65: 65}"""
    return {int(v): int(c) for v, c in (pair.split(":") for pair in text.split(","))}


def stats_vectors(report, fire):
    if fire:
        return report["stats"]["vectors"]
    devices = report["devices"]
    if len(devices) != 1:
        raise ValueError(f"{len(devices)} devices in the stats report, expected 1")
    return devices[0]["vectors"]


def check_vectors(report, args, problems):
    rows = report["vectors"]
    if [r["vector"] for r in rows] != list(range(args.nr_vectors)):
        problems.append(f"{len(rows)} vectors listed, expected 0..{args.nr_vectors - 1}")
    irqs = [r["irq"] for r in rows]
    if len(set(irqs)) != len(irqs) or not all(irq > 0 for irq in irqs):
        problems.append(f"IRQ numbers not distinct and positive: {irqs}")
    if args.vector is not None:
        row = next((r for r in rows if r["vector"] == args.vector), None)
        want = str(args.cpu)
        if row is None:
            problems.append(f"vector {args.vector} not listed")
        elif row["affinity"] != want or row["effective_affinity"] != want:
            problems.append(f"vector {args.vector}: affinity {row['affinity']}, effective "
                            f"{row['effective_affinity']}, expected {want} for both")


def per_cpu_received(vec, nr_cpus, name, problems):
    """{cpu: received}, after checking that every CPU is listed once."""
    cpus = [c["cpu"] for c in vec["per_cpu"]]
    if sorted(cpus) != list(range(nr_cpus)):
        missing = sorted(set(range(nr_cpus)) - set(cpus))
        problems.append(f"{name}: per-CPU list has {len(cpus)} entries, expected CPUs "
                        f"0-{nr_cpus - 1} once each (missing: {missing[:16]})")
    return {c["cpu"]: c["received"] for c in vec["per_cpu"]}


def check_accounts(report, args, problems):
    want = number_list(args.vectors)
    vectors = {v["vector"]: v for v in stats_vectors(report, args.fire)}
    missing = [v for v in want if v not in vectors]
    if missing:
        problems.append(f"vectors missing from the report: {missing}")
    target = vector_map(args.map) if args.map else {v: args.cpu for v in want}
    landed = {}  # cpu -> arrivals of the chosen vectors
    sent = {}  # cpu -> arrivals the chosen vectors should have brought
    for v in want:
        if v not in vectors:
            continue
        vec, name = vectors[v], f"vector {v}"
        t = vec["totals"]
        accounted = t["received"] - t["unexpected"] + t["coalesced"] + t["busy"]
        if t["fired"] != args.count:
            problems.append(f"{name}: fired {t['fired']}, expected {args.count}")
        if accounted != t["fired"]:
            problems.append(f"{name}: fired {t['fired']} + unexpected {t['unexpected']} !="
                            f" received {t['received']} + coalesced {t['coalesced']}"
                            f" + busy {t['busy']}")
        if t["handled"] != t["received"]:
            problems.append(f"{name}: handled {t['handled']} != received {t['received']}")
        if not t["received"]:
            problems.append(f"{name}: nothing received")
        received = per_cpu_received(vec, args.cpus, name, problems)
        if sum(received.values()) != t["received"]:
            problems.append(f"{name}: per-CPU arrivals add up to {sum(received.values())}, "
                            f"total says {t['received']}")
        cpu = target.get(v)
        if cpu is not None:
            if received.get(cpu, 0) != t["received"]:
                problems.append(f"{name}: {received.get(cpu, 0)} of {t['received']} "
                                f"arrivals on CPU {cpu}")
            sent[cpu] = sent.get(cpu, 0) + t["received"]
        for c, n in received.items():
            landed[c] = landed.get(c, 0) + n
    if target and all(c is not None for c in target.values()):
        for c in sorted(set(landed) | set(sent)):
            if landed.get(c, 0) != sent.get(c, 0):
                problems.append(f"CPU {c}: {landed.get(c, 0)} arrivals, expected "
                                f"{sent.get(c, 0)}")
        print("# arrivals per CPU: " + ", ".join(
            f"CPU{c} {n}" for c, n in sorted(landed.items()) if n))
    if args.fire:
        if not report["balanced"]:
            problems.append("the CLI did not call the run balanced")
        if report["run"]["state"] != "done":
            problems.append(f"run state {report['run']['state']}")


def check_on_cpu(report, args, problems):
    vectors = {v["vector"]: v for v in stats_vectors(report, False)}
    for v in number_list(args.vectors):
        if v not in vectors:
            problems.append(f"vector {v} missing from the report")
            continue
        received = per_cpu_received(vectors[v], args.cpus, f"vector {v}", problems)
        total = sum(received.values())
        if not total or received.get(args.cpu, 0) != total:
            problems.append(f"vector {v}: {received.get(args.cpu, 0)} of {total} arrivals "
                            f"on CPU {args.cpu}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["vectors", "accounts", "on-cpu"])
    parser.add_argument("--nr-vectors", type=int)
    parser.add_argument("--vector", type=int)
    parser.add_argument("--vectors")
    parser.add_argument("--cpu", type=int)
    parser.add_argument("--map")
    parser.add_argument("--cpus", type=int, help="CPUs the box has")
    parser.add_argument("--count", type=int)
    parser.add_argument("--fire", action="store_true")
    args = parser.parse_args()

    problems = []
    try:
        report = json.load(sys.stdin)
        {"vectors": check_vectors, "accounts": check_accounts,
         "on-cpu": check_on_cpu}[args.mode](report, args, problems)
    except (ValueError, KeyError, TypeError) as e:
        problems.append(f"unexpected JSON: {type(e).__name__}: {e}")
    for problem in problems[:40]:
        print(f"# {problem}")
    if len(problems) > 40:
        print(f"# ... and {len(problems) - 40} more")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
