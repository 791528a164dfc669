#!/usr/bin/env python3
"""Checks the JSON of one 'irqlab fire --json' run (counters reset before it).

exact    every chosen vector: fired == count, fired + unexpected == received
         + coalesced + busy, handled == received, and the CLI called it
         balanced (unexpected arrivals are printed)
no-loss  nothing fired went missing (received - unexpected + coalesced +
         busy >= fired); unexpected arrivals, which a device may send on
         its own, are printed
--cpu C  additionally, every arrival was on CPU C
Prints what it found on failure; exit status 0 when the check holds.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--expect", choices=["exact", "no-loss"], required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--cpu", type=int)
    args = parser.parse_args()

    report = json.load(sys.stdin)
    problems = []
    vectors = report["stats"]["vectors"]
    if not vectors:
        problems.append("no vectors in the report")
    for vec in vectors:
        t = vec["totals"]
        name = f"vector {vec['vector']}"
        accounted = t["received"] - t["unexpected"] + t["coalesced"] + t["busy"]
        if t["fired"] != args.count:
            problems.append(f"{name}: fired {t['fired']}, expected {args.count}")
        if t["handled"] != t["received"]:
            problems.append(f"{name}: handled {t['handled']} != received {t['received']}")
        if args.expect == "exact" and accounted != t["fired"]:
            problems.append(f"{name}: fired {t['fired']} + unexpected {t['unexpected']} !="
                            f" received {t['received']} + coalesced {t['coalesced']}"
                            f" + busy {t['busy']}")
        if args.expect == "no-loss" and accounted < t["fired"]:
            problems.append(f"{name}: {t['fired'] - accounted} fired but never arrived")
        if args.expect == "no-loss" and accounted > t["fired"]:
            problems.append(f"{name}: {accounted - t['fired']} arrivals no trigger explains")
        if t["unexpected"]:
            print(f"# {name}: {t['unexpected']} unexpected arrivals (no trigger in flight)")
        if args.cpu is not None:
            elsewhere = sum(c["received"] for c in vec["per_cpu"] if c["cpu"] != args.cpu)
            if elsewhere:
                problems.append(f"{name}: {elsewhere} arrivals off CPU {args.cpu}")
    totals = {k: sum(v["totals"][k] for v in vectors)
              for k in ("fired", "received", "unexpected", "coalesced", "busy")}
    print(f"# {len(vectors)} vectors: " + ", ".join(f"{k} {n}" for k, n in totals.items()))
    if args.expect == "exact" and not report["balanced"]:
        problems.append("the CLI did not call the run balanced")
    if report["run"]["state"] != "done":
        problems.append(f"run state {report['run']['state']}")
    for problem in problems:
        print(f"# {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
