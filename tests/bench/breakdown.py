#!/usr/bin/env python3
"""Where one engine interrupt's instructions go: the stage_* benchmarks of
irqlab_bench under callgrind (instruction counts: the same for the same
binary whatever else the machine does), per interrupt.

usage: breakdown.py IRQLAB_BENCH

Hosted build: the platform calls are the hosted platform's (a mutex for
"interrupts off"), so read the shares of the engine's own stages; the
kernel's totals are irqlab compare's hardirq metric (docs/measuring.md).
"""
import re
import subprocess
import sys
import tempfile

STAGES = [
    ("entry and exit, unmapped hwirq", "stage_entry_exit/"),
    ("IRQ_HANDLED line, no tracer", "stage_hardirq/0/"),
    ("IRQ_HANDLED line, tracer of every event", "stage_hardirq/1/"),
    ("IRQ_HANDLED line, tracer of the measured events", "stage_hardirq/2/"),
    ("softirq raised, with its bottom-half round", "stage_softirq_round/"),
]

# (label, function as callgrind_annotate names it)
PARTS = [
    ("Engine::handle (all of the hardirq)", "irqlab::engine::Engine::handle(irqlab::irq::IrqDomain&, unsigned long)"),
    ("  domain lookup + flow + actions", "irqlab::irq::IrqCore::handle_domain_irq("),
    ("    flow handler (fasteoi)", "irqlab::irq::DescOps::handle_fasteoi_irq("),
    ("      action chain (handle_irq_event)", "irqlab::irq::DescOps::handle_irq_event("),
    ("  irq_exit", "irqlab::softirq::Softirqs::irq_exit()"),
    ("bottom-half round (after the hardirq)", "irqlab::softirq::Softirqs::bottom_half(void*)"),
]


def annotate(path, *args):
    # From /, so that every entry names its file by its full path (relative
    # names come with partial counts of inlined copies).
    return subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", *args,
                           path], capture_output=True, text=True, check=True, cwd="/").stdout


def interrupts(path):
    """Calls of Engine::handle: irq_exit is called once by each."""
    callers = []
    for line in annotate(path, "--tree=caller").splitlines():
        if " < " in line:
            callers.append(line)
        elif " * " in line:
            if "Softirqs::irq_exit()" in line and "softirqs.cpp" in line:
                for caller in callers:
                    m = re.search(r"Engine::handle\(.*\) \(([0-9,]+)x\)", caller)
                    if m:
                        return int(m.group(1).replace(",", ""))
            callers = []
    return 0


def inclusive(text, name):
    """The function's inclusive count (its largest entry: inlined copies
    are listed under their source file too)."""
    counts = [int(line.split()[0].replace(",", "")) for line in text.splitlines()
              if name in line and "[" in line and line.split()[0][0].isdigit()]
    return max(counts, default=0)


def main(bench):
    print(f"{'instructions per interrupt (callgrind, hosted)':<50}" +
          "".join(f"{i + 1:>9}" for i in range(len(STAGES))))
    rows = {label: [] for label, _ in PARTS}
    for _, name in STAGES:
        with tempfile.NamedTemporaryFile(suffix=".cg") as out:
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}",
                            bench, f"--benchmark_filter={name}", "--benchmark_min_time=0.01"],
                           capture_output=True, check=True)
            count = interrupts(out.name)
            text = annotate(out.name)
        for label, fn in PARTS:
            rows[label].append(inclusive(text, fn) / count if count else 0)
    for label, values in rows.items():
        print(f"{label:<50}" + "".join(f"{v:>9.0f}" for v in values))
    for i, (title, _) in enumerate(STAGES):
        print(f"  {i + 1}: {title}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
