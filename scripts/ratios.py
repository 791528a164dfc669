#!/usr/bin/env python3
"""The engine/native ratio matrix of saved `irqlab compare --json` results.

usage: ratios.py OUT_PREFIX CASE=RESULT.json... [--saturation RATE=RESULT.json...]

For each case (one compare run: both paths measured in the same run), per
mechanism and metric, the ratios engine/native of p50 and p99; with
--saturation, per mechanism and path the highest --rate at which every
interrupt got its own delivery and its own bottom-half run, and their
ratio. Prints the matrix and writes OUT_PREFIX.txt and OUT_PREFIX.json.
Targets (issue 13) are marked, never enforced: a benchmark prints numbers.
"""
import json
import sys

METRICS = ["deferral", "runtime", "end-to-end", "hardirq"]
P50_BAND = (0.8, 1.2)
P99_MAX = 1.5
SATURATION_MIN = 0.9


def ratio(engine, native):
    if native is None or engine is None or native <= 0:
        return None
    return engine / native


def fmt(value, ok):
    if value is None:
        return f"{'-':>7} "
    return f"{value:7.2f}{' ' if ok else '!'}"


def paths_of(mech):
    engine, native = mech["paths"]["engine"], mech["paths"]["native"]
    if not engine.get("available") or not native.get("available"):
        return None
    return engine, native


def case_matrix(result):
    rows = {}
    for mech in result["mechanisms"]:
        paths = paths_of(mech)
        if not paths:
            continue
        engine, native = paths
        row = {}
        for metric in METRICS:
            e, n = engine["metrics"][metric], native["metrics"][metric]
            if not e["count"] or not n["count"]:
                continue
            row[metric] = {"p50": ratio(e["p50_ns"], n["p50_ns"]),
                           "p99": ratio(e["p99_ns"], n["p99_ns"]),
                           "engine_p50_ns": e["p50_ns"], "native_p50_ns": n["p50_ns"],
                           "engine_p99_ns": e["p99_ns"], "native_p99_ns": n["p99_ns"]}
        rows[mech["name"]] = row
    return rows


KEPT_UP = 0.01


def kept_up(path):
    """No event lost, and at most 1% of the triggers merged in flight and
    of the interrupts served by another's bottom-half run."""
    acc = path["accounting"]
    return (acc["lost"] == 0 and acc["fired"] > 0
            and acc["coalesced_triggers"] <= KEPT_UP * acc["fired"]
            and acc["coalesced"] <= KEPT_UP * acc["hardirqs"])


def saturation(results):
    """Per path, the highest rate up to which every rate was kept up, and
    the highest with zero lost events."""
    best = {}
    for rate, result in sorted(results, key=lambda item: item[0]):
        for mech in result["mechanisms"]:
            paths = paths_of(mech)
            if not paths:
                continue
            entry = best.setdefault(mech["name"], {"engine": 0, "native": 0,
                                                   "engine_lossless": 0, "native_lossless": 0,
                                                   "engine_broke": False, "native_broke": False})
            for name, path in zip(("engine", "native"), paths):
                if path["accounting"]["lost"] == 0:
                    entry[name + "_lossless"] = rate
                if kept_up(path) and not entry[name + "_broke"]:
                    entry[name] = rate
                else:
                    entry[name + "_broke"] = True
    for entry in best.values():
        entry["ratio"] = ratio(entry["engine"], entry["native"])
        del entry["engine_broke"], entry["native_broke"]
    return best


def render(cases, sat):
    lines = []
    out = lines.append
    for name, (result, matrix) in cases.items():
        env = result["environment"]
        params = result["params"]
        out(f"== {name}: trigger {params['trigger']}, cpu {params['cpu']}, "
            f"rate {params['rate_hz'] or 'back to back'}, fired from CPU "
            f"{env.get('fired_from_cpu', '?')}, kernel {env['kernel_release']}")
        head = "  mechanism    " + "".join(f"{m:>18}" for m in METRICS)
        out(head)
        out("               " + "".join(f"{'p50':>9}{'p99':>9}" for _ in METRICS))
        for mech, row in matrix.items():
            cells = ""
            for metric in METRICS:
                r = row.get(metric)
                if not r:
                    cells += f"{'-':>9}{'-':>9}"
                    continue
                p50_ok = r["p50"] is not None and P50_BAND[0] <= r["p50"] <= P50_BAND[1]
                p99_ok = r["p99"] is not None and r["p99"] <= P99_MAX
                cells += " " + fmt(r["p50"], p50_ok) + fmt(r["p99"], p99_ok)
            out(f"  {mech:<13}{cells}")
        out("")
    if sat:
        out("== saturation: highest --rate (Hz, shared by both vectors) each path kept up "
            f"with (nothing lost, at most {KEPT_UP:.0%} merged), and the highest with "
            "nothing lost")
        out(f"  {'mechanism':<13}{'engine':>10}{'native':>10}{'ratio':>9}"
            f"{'lossless e':>12}{'lossless n':>12}")
        for mech, entry in sat.items():
            ok = entry["ratio"] is not None and entry["ratio"] >= SATURATION_MIN
            out(f"  {mech:<13}{entry['engine']:>10}{entry['native']:>10} "
                f"{fmt(entry['ratio'], ok)}{entry['engine_lossless']:>12}"
                f"{entry['native_lossless']:>12}")
        out("")
    out(f"targets: p50 ratio within {P50_BAND[0]}-{P50_BAND[1]}, p99 ratio at most "
        f"{P99_MAX}, saturation ratio at least {SATURATION_MIN}; '!' marks a miss")
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    prefix = argv[1]
    cases, sat_files, target = {}, [], "cases"
    for arg in argv[2:]:
        if arg == "--saturation":
            target = "saturation"
            continue
        key, path = arg.split("=", 1)
        with open(path) as f:
            result = json.load(f)
        if target == "cases":
            cases[key] = (result, case_matrix(result))
        else:
            sat_files.append((int(key), result))
    sat = saturation(sat_files) if sat_files else {}
    text = render(cases, sat)
    sys.stdout.write(text)
    with open(prefix + ".txt", "w") as f:
        f.write(text)
    with open(prefix + ".json", "w") as f:
        json.dump({"cases": {k: {"environment": v[0]["environment"], "params": v[0]["params"],
                                 "ratios": v[1]} for k, v in cases.items()},
                   "saturation": sat,
                   "targets": {"p50": P50_BAND, "p99_max": P99_MAX,
                               "saturation_min": SATURATION_MIN}}, f, indent=1)


if __name__ == "__main__":
    main(sys.argv)
