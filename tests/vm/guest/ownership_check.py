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
import errno
import fcntl
import os
import struct
import sys

MAGIC = 0xE1
STATES = ["idle", "running", "done", "stopped", "failed"]


def iowr(nr, size):
    return (3 << 30) | (size << 16) | (MAGIC << 8) | nr


VECTOR_INFO = iowr(0x03, 48)
RUN_STATUS = iowr(0x06, 56)
ENGINE_LINE = iowr(0x22, 944)
MECH_STATS = iowr(0x32, 120)


def request(fd, cmd, size, bdf, vector=None):
    buf = bytearray(size)
    name = bdf.encode()
    buf[:len(name)] = name
    if vector is not None:
        struct.pack_into("<I", buf, 16, vector)
    fcntl.ioctl(fd, cmd, buf, True)
    return buf


def state(fd, bdf):
    found = []
    nr_vectors = struct.unpack_from("<I", request(fd, VECTOR_INFO, 48, bdf, 0), 20)[0]
    for vector in range(nr_vectors):
        if struct.unpack_from("<I", request(fd, MECH_STATS, 120, bdf, vector), 20)[0]:
            found.append(f"v{vector} measured")
        try:
            request(fd, ENGINE_LINE, 944, bdf, vector)
            found.append(f"v{vector} engine line")
        except OSError as e:
            if e.errno != errno.ENOENT:
                raise
    run = STATES[struct.unpack_from("<I", request(fd, RUN_STATUS, 56, bdf), 16)[0]]
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
    holds = []
    for bdf in args.bdf:
        found, run = state(fd, bdf)
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
