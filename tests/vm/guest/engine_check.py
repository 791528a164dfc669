#!/usr/bin/env python3
"""Checks the engine's accounting against the native counters.

usage: engine_check.py CLI BDF [--spurious] [--vector N]

For every vector of BDF attached to the engine: every native arrival
(irqlab stats) entered the engine, where it either ran the line's
handlers (a hardirq) or was kept pending on a masked, disabled or busy
line; pending interrupts replayed later ran the handlers too:
arrivals + replays == hardirqs + pending. The main action ran once per
hardirq and each IRQ_NONE sharer too; a softirq line raised once per
hardirq; a tasklet line scheduled once per hardirq, and every schedule
ran or was coalesced into a pending one. With forced threading the main
action runs in the line's irq thread, once per thread run, and what it
defers is counted per main action run. Deferred work, checked after
'irqlab engine flush': a work line queued its work once per hardirq or
found it pending (coalesced), and every queued work ran; a thread line
woke its thread once per hardirq, and every wake-up ran the thread or
was merged into a run still due; a NAPI line brought its events with
each hardirq, scheduled its poll or found it scheduled (missed), and the
polls consumed every event. For the
softirq slots that attached lines feed, the work units done must equal
the units handed over (hardirqs x rounds), and every handler run did a
unit or found none left (idle). Nothing may still be pending.

With --spurious the lines must instead have been disabled by the spurious
detector ("nobody cared") at exactly their 100,000th interrupt, all of
which went unhandled; later arrivals stay pending on the disabled line.

Prints one summary line per vector; exits 1 listing every mismatch.
"""
import json
import subprocess
import sys


def cli_json(cli, *args):
    # Exit 3 says the native accounting did not balance: still a report.
    out = subprocess.run([cli, *args, "--json"], capture_output=True, text=True)
    if out.returncode not in (0, 3):
        sys.exit(f"{cli} {' '.join(args)}: exit {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


def deferred_errors(name, line, hardirqs):
    """The work, thread and NAPI identities of one line (after a flush)."""
    errors = []
    action = line["action"]
    if action.startswith("work"):
        print(f"# {name}: work queued {line['work_queued']}, coalesced "
              f"{line['work_coalesced']}, runs {line['work_runs']} ({line['workqueue']})")
        if line["work_queued"] + line["work_coalesced"] != line["handled"]:
            errors.append(f"{name}: queued {line['work_queued']} + coalesced "
                          f"{line['work_coalesced']} != {line['handled']} main action runs")
        if line["work_runs"] != line["work_queued"]:
            errors.append(f"{name}: work ran {line['work_runs']} of {line['work_queued']} queued")
    if line["thread"]:
        print(f"# {name}: thread {line['thread']} wakeups {line['thread_wakeups']}, merged "
              f"{line['thread_merged']}, runs {line['thread_runs']}")
        if line["thread_wakeups"] != hardirqs:
            errors.append(f"{name}: {line['thread_wakeups']} wake-ups != {hardirqs}")
        if line["thread_runs"] + line["thread_merged"] != line["thread_wakeups"]:
            errors.append(f"{name}: runs {line['thread_runs']} + merged "
                          f"{line['thread_merged']} != {line['thread_wakeups']}")
    if action == "napi":
        print(f"# {name}: napi scheduled {line['napi_scheduled']}, missed {line['napi_missed']}, "
              f"polls {line['napi_polls']}, completed {line['napi_completed']}, events "
              f"{line['napi_events_produced']} -> {line['napi_events_consumed']}")
        if line["napi_scheduled"] + line["napi_missed"] != line["handled"]:
            errors.append(f"{name}: scheduled {line['napi_scheduled']} + missed "
                          f"{line['napi_missed']} != {line['handled']} main action runs")
        if line["napi_events_produced"] != line["handled"] * line["napi_events"]:
            errors.append(f"{name}: {line['napi_events_produced']} events brought, want "
                          f"{line['handled']} x {line['napi_events']}")
        if line["napi_events_consumed"] != line["napi_events_produced"]:
            errors.append(f"{name}: {line['napi_events_consumed']} events consumed of "
                          f"{line['napi_events_produced']}")
        if line["masked"]:
            errors.append(f"{name}: still masked after the poll completed")
    return errors


def main():
    cli, bdf = sys.argv[1], sys.argv[2]
    spurious = "--spurious" in sys.argv[3:]
    # --vector N: only that vector (a later run reset the others' native counts).
    only = int(sys.argv[sys.argv.index("--vector") + 1]) if "--vector" in sys.argv else None
    stats = cli_json(cli, "stats", bdf)["devices"][0]["vectors"]
    lines = [l for l in cli_json(cli, "engine", "interrupts")["interrupts"]
             if l["bdf"] == bdf and only in (None, l["vector"])]
    softirqs = cli_json(cli, "engine", "softirqs")["softirqs"]
    errors = []
    if not lines:
        errors.append(f"no vector of {bdf} is attached")
    for line in lines:
        v = line["vector"]
        received = stats[v]["totals"]["received"]
        hardirqs = sum(line["count"])
        name = f"{bdf} v{v} ({line['action']}, {line['flow']})"
        print(f"# {name}: native {received}, engine {hardirqs}, handled {line['handled']}, "
              f"none {line['none']}, sharers {line['sharer_calls']}, raised "
              f"{line['softirq_raised']}, tasklet {line['tasklet_scheduled']}/"
              f"{line['tasklet_runs']}+{line['tasklet_coalesced']}, unhandled "
              f"{line['unhandled']}, disabled {line['spurious_disabled']}, pending "
              f"{line['pending_arrivals']}, replays {line['replays']}")
        if received + line["replays"] != hardirqs + line["pending_arrivals"]:
            errors.append(f"{name}: native arrivals {received} + replays {line['replays']} != "
                          f"hardirqs {hardirqs} + pending {line['pending_arrivals']}")
        if spurious:
            if not line["spurious_disabled"]:
                errors.append(f"{name}: not disabled after {hardirqs} unhandled")
            if hardirqs != 100000 or line["unhandled"] != hardirqs:
                errors.append(f"{name}: {line['unhandled']} unhandled of {hardirqs} hardirqs, "
                              "want 100000 of 100000")
            continue
        errors += deferred_errors(name, line, hardirqs)
        # Forced threading runs the main action in its thread, once per run.
        runs = line["thread_runs"] if line["thread_forced"] else hardirqs
        if line["handled"] + line["none"] != runs:
            errors.append(f"{name}: main action ran {line['handled'] + line['none']} times, "
                          f"want {runs}")
        if not line["thread_forced"] and line["sharer_calls"] != hardirqs * line["shared_none"]:
            errors.append(f"{name}: sharers ran {line['sharer_calls']} times")
        if line["action"].startswith("softirq") and line["softirq_raised"] != line["handled"]:
            errors.append(f"{name}: raised {line['softirq_raised']} != {line['handled']}")
        if line["action"].startswith("tasklet"):
            if line["tasklet_scheduled"] != line["handled"]:
                errors.append(f"{name}: scheduled {line['tasklet_scheduled']} != "
                              f"{line['handled']} main action runs")
            if line["tasklet_runs"] + line["tasklet_coalesced"] != line["tasklet_scheduled"]:
                errors.append(f"{name}: runs {line['tasklet_runs']} + coalesced "
                              f"{line['tasklet_coalesced']} != {line['tasklet_scheduled']}")
    # Every softirq line of every device feeds the slot totals.
    all_lines = cli_json(cli, "engine", "interrupts")["interrupts"]
    fed = {}
    for line in all_lines:
        if line["action"].startswith("softirq:"):
            slot = line["action"].split(":", 1)[1].upper()
            fed[slot] = fed.get(slot, 0) + line["softirq_raised"] * line["softirq_rounds"]
    for slot, units in fed.items():
        work = sum(c["slots"][slot]["work"] for c in softirqs)
        runs = sum(c["slots"][slot]["runs"] for c in softirqs)
        idle = sum(c["slots"][slot]["idle_runs"] for c in softirqs)
        print(f"# softirq {slot}: units {units}, done {work}, runs {runs}, idle {idle}")
        if work != units:
            errors.append(f"softirq {slot}: {work} units done of {units}")
        if runs != work + idle:
            errors.append(f"softirq {slot}: {runs} runs != {work} units + {idle} idle")
    for c in softirqs:
        if c["pending"]:
            errors.append(f"CPU{c['cpu']}: softirqs still pending: {c['pending']:#x}")
    for e in errors:
        print(f"# MISMATCH: {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
