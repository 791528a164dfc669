#!/usr/bin/env python3
"""Checks one `irqlab compare --json` result and prints KTAP cases.

usage: compare_check.py PREFIX [--expect-unavailable MECH ...] [--no-t0]
                        [--bpf] < result.json

Per mechanism and path: the accounting is exact (the CLI's 'lost' is 0 and
its own identities hold here too), the histograms agree with the counters,
and the metrics that must have samples have them. With --bpf, the BPF
probes' cross-check agrees for every mechanism and path. The same-run
p50 ratios engine/native are printed as diagnostics, never asserted: they
depend on scheduling (make bench-compare measures them). Exits 1
when a case failed.
"""
import argparse
import json
import sys

failed = 0


def case(ok, name, detail=""):
    global failed
    print(f"{'ok' if ok else 'not ok'} - {name}")
    if not ok:
        failed += 1
        for line in str(detail).splitlines():
            print(f"# {line}")


def check_path(prefix, mech, path_name, path, t0_known, rt):
    name = f"{prefix}_{mech}_{path_name}"
    acc = path["accounting"]
    m = path["metrics"]
    # Where the handler ran. On PREEMPT_RT the kernel forces every native
    # mechanism's handler into its irq thread but thread-oneshot's (it
    # never forces an IRQF_ONESHOT request), and the engine, whose forced
    # threading is on there by default, its own but those of the two
    # thread mechanisms (ONESHOT, or a thread function of their own: the
    # engine leaves such a request as it was). Elsewhere none.
    threaded = acc.get("forced_threaded")
    never_forced = {"native": {"thread-oneshot"}, "engine": {"thread", "thread-oneshot"}}
    forced = rt and mech not in never_forced[path_name]
    want = acc["hardirqs"] if forced else 0
    case(threaded == want, f"{name}_handler_context",
         f"forced_threaded {threaded}, expected {want} (preemption rt: {rt})")
    # Exact: nothing lost (the CLI counts every gap it notes as lost). The
    # note may still name arrivals with no trigger in flight (the device's
    # own, an x86 retrigger), which are no loss; with the external trigger
    # every arrival is one, and the note says nothing of them.
    case(acc["lost"] == 0, f"{name}_exact", acc)
    case(acc["hardirqs"] > 0 and acc["served"] == acc["hardirqs"],
         f"{name}_served_all", acc)
    case(acc["runs"] == acc["ends"] and acc["runs"] > 0, f"{name}_runs_ended", acc)
    # One hardirq sample per arrival, one runtime sample per run.
    case(m["hardirq"]["count"] == acc["arrivals"], f"{name}_hardirq_samples",
         (m["hardirq"]["count"], acc["arrivals"]))
    case(m["runtime"]["count"] == acc["ends"], f"{name}_runtime_samples",
         (m["runtime"]["count"], acc["ends"]))
    # A run serves one interrupt or more: at most one deferral per run.
    case(0 < m["deferral"]["count"] <= acc["runs"], f"{name}_deferral_samples",
         (m["deferral"]["count"], acc["runs"]))
    if t0_known:
        case(0 < m["delivery"]["count"] <= acc["hardirqs"], f"{name}_delivery_samples",
             (m["delivery"]["count"], acc["hardirqs"]))
        case(0 < m["end-to-end"]["count"] <= m["deferral"]["count"],
             f"{name}_end_to_end_samples", (m["end-to-end"]["count"], m["deferral"]["count"]))
    for metric, h in m.items():
        if h["count"]:
            ordered = h["min_ns"] <= h["p50_ns"] <= h["p99_ns"] <= h["max_ns"]
            total = sum(h["buckets"]) + h["overflow"]
            case(ordered and total == h["count"], f"{name}_{metric}_histogram",
                 {k: h[k] for k in ("count", "min_ns", "p50_ns", "p99_ns", "max_ns",
                                    "overflow")})


def print_ratios(prefix, mech):
    """The twins' same-run p50 ratios: a measurement, printed, never asserted
    (it depends on scheduling; make bench-compare is where ratios belong)."""
    engine, native = mech["paths"]["engine"], mech["paths"]["native"]
    if not engine["available"] or not native["available"]:
        return
    for metric, e in engine["metrics"].items():
        n = native["metrics"][metric]
        if not e["count"] or not n["count"] or n["p50_ns"] <= 0:
            continue
        print(f"# {prefix}_{mech['name']}_{metric}: engine p50 {e['p50_ns']:.0f} ns / "
              f"native {n['p50_ns']:.0f} ns = {e['p50_ns'] / n['p50_ns']:.2f}x")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("prefix")
    parser.add_argument("--expect-unavailable", nargs="*", default=[])
    parser.add_argument("--no-t0", action="store_true")
    parser.add_argument("--bpf", action="store_true")
    parser.add_argument("--mechanisms", type=int, default=0,
                        help="how many mechanisms the result must hold")
    args = parser.parse_args()
    result = json.load(sys.stdin)
    mechs = result["mechanisms"]
    if args.mechanisms:
        case(len(mechs) == args.mechanisms, f"{args.prefix}_mechanism_count",
             [m["name"] for m in mechs])
    env = result["environment"]
    # The box is a QEMU guest: CPUID names its accelerator. suite.sh checks
    # this line against the one run.sh chose.
    print(f"# hypervisor (CPUID): {env.get('hypervisor')}")
    case(bool(env["kernel_release"]) and env["cpus"] > 0 and bool(env["preemption"])
         and env.get("hypervisor") in ("tcg", "kvm"),
         f"{args.prefix}_environment", env)
    for mech in mechs:
        for path_name in ("engine", "native"):
            path = mech["paths"][path_name]
            unavailable = path_name == "native" and mech["name"] in args.expect_unavailable
            if unavailable:
                case(not path["available"] and bool(path["why_unavailable"]),
                     f"{args.prefix}_{mech['name']}_native_reported_unavailable", path)
                continue
            case(path["available"], f"{args.prefix}_{mech['name']}_{path_name}_available",
                 path)
            if path["available"]:
                check_path(args.prefix, mech["name"], path_name, path, not args.no_t0,
                           env["preemption"] == "rt")
        print_ratios(args.prefix, mech)
    if args.bpf:
        checks = result.get("crosschecks", [])
        case(len(checks) > 0, f"{args.prefix}_bpf_crosschecks_present")
        for c in checks:
            case(c["agrees"], f"{args.prefix}_bpf_agrees_{c['mechanism']}_{c['path']}", c)
        case(len(result.get("overhead", [])) > 0, f"{args.prefix}_bpf_overhead_reported")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
