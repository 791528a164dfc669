#!/usr/bin/env python3
"""What a claimed device still has attached or running, from raw ioctls.

usage: ownership_check.py BDF... (--nothing-left | --something-left | --run STATE)

--nothing-left    no vector measured (MECH_STATS attached), none attached
                  to the engine (ENGINE_LINE), no firing run RUNNING
--something-left  the opposite, on every device at once: a mechanism, an
                  engine line or a run
--run STATE       every device's run is in STATE (running, stopped, ...)
Prints what it found; exit status 0 when the expectation holds.
"""
import argparse
import ctypes
import errno
import fcntl
import math
import os
import pathlib
import re
import struct
import sys

MAGIC = 0xE1
STATES = ["idle", "running", "done", "stopped", "failed"]


def ioc(direction, nr, size):
    return (direction << 30) | (size << 16) | (MAGIC << 8) | nr


def iowr(nr, size):
    return ioc(3, nr, size)


def abi_sizes():
    """Each struct's size as include/irqlab/uapi.h's static_asserts state
    it ("== 32 + 7 * 8 + 5 * 8"): the header stays the one source."""
    uapi = pathlib.Path(__file__).resolve().parents[3] / "include/irqlab/uapi.h"
    found = re.findall(r"static_assert\(sizeof\(struct (\w+)\) ==\s*([0-9+*\s]+),",
                       uapi.read_text())
    return {name: sum(math.prod(int(f) for f in term.split("*")) for term in expr.split("+"))
            for name, expr in found}


# ABI 2.0: per-CPU data in caller-sized arrays,
# struct irqlab_array {__u64 ptr; __u32 nr; __u32 pad;}.
SIZE = abi_sizes()
INFO_SIZE = SIZE["irqlab_info"]
INFO = ioc(2, 0x0C, INFO_SIZE)
VECTOR_INFO_SIZE = SIZE["irqlab_vector_info"]
VECTOR_INFO = iowr(0x03, VECTOR_INFO_SIZE)
RUN_STATUS_SIZE = SIZE["irqlab_run_status"]
RUN_STATUS = iowr(0x06, RUN_STATUS_SIZE)
ENGINE_LINE_SIZE = SIZE["irqlab_engine_line"]
ENGINE_LINE = iowr(0x22, ENGINE_LINE_SIZE)
MECH_STATS_SIZE = SIZE["irqlab_mech_stats"]
MECH_STATS = iowr(0x32, MECH_STATS_SIZE)


class Arrays:
    """Buffers of nr_cpu_ids elements for the arrays the module fills."""

    def __init__(self, fd):
        info = bytearray(INFO_SIZE)
        fcntl.ioctl(fd, INFO, info, True)
        self.nr_cpus = struct.unpack_from("<I", info, 0)[0]
        # Kept alive as long as the requests that point at them.
        self.cpu_set = ctypes.create_string_buffer(8 * ((self.nr_cpus + 63) // 64))
        self.cpu_set2 = ctypes.create_string_buffer(8 * ((self.nr_cpus + 63) // 64))
        self.counts = ctypes.create_string_buffer(8 * self.nr_cpus)

    def put(self, buf, offset, array, nr):
        struct.pack_into("<QII", buf, offset, ctypes.addressof(array), nr, 0)


def request(fd, cmd, size, bdf, vector=None, arrays=()):
    buf = bytearray(size)
    name = bdf.encode()
    buf[:len(name)] = name
    if vector is not None:
        struct.pack_into("<I", buf, 16, vector)
    for put in arrays:
        put(buf)
    fcntl.ioctl(fd, cmd, buf, True)
    return buf


def state(fd, bdf, arrays):
    found = []
    cpu_sets = (lambda b: arrays.put(b, 32, arrays.cpu_set, arrays.nr_cpus),
                lambda b: arrays.put(b, 48, arrays.cpu_set2, arrays.nr_cpus))
    info = request(fd, VECTOR_INFO, VECTOR_INFO_SIZE, bdf, 0, cpu_sets)
    nr_vectors = struct.unpack_from("<I", info, 20)[0]
    counts = (lambda b: arrays.put(b, ENGINE_LINE_SIZE - 16, arrays.counts, arrays.nr_cpus),)
    for vector in range(nr_vectors):
        if struct.unpack_from("<I", request(fd, MECH_STATS, MECH_STATS_SIZE, bdf, vector), 20)[0]:
            found.append(f"v{vector} measured")
        try:
            request(fd, ENGINE_LINE, ENGINE_LINE_SIZE, bdf, vector, counts)
            found.append(f"v{vector} engine line")
        except OSError as e:
            if e.errno != errno.ENOENT:
                raise
    run = STATES[struct.unpack_from("<I", request(fd, RUN_STATUS, RUN_STATUS_SIZE, bdf), 16)[0]]
    if run == "running":
        found.append("run running")
    return found, run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bdf", nargs="+")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--nothing-left", action="store_true")
    group.add_argument("--something-left", action="store_true")
    group.add_argument("--run", choices=STATES)
    args = parser.parse_args()
    fd = os.open("/dev/irqlab", os.O_RDWR | os.O_CLOEXEC)
    arrays = Arrays(fd)
    holds = []
    for bdf in args.bdf:
        found, run = state(fd, bdf, arrays)
        print(f"{bdf}: run {run}; left: {', '.join(found) or 'nothing'}")
        if args.nothing_left:
            holds.append(not found)
        elif args.something_left:
            holds.append(bool(found))
        else:
            holds.append(run == args.run)
    os.close(fd)
    return 0 if all(holds) else 1


if __name__ == "__main__":
    sys.exit(main())
