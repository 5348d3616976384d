#!/usr/bin/python3
"""Packet rate of running counters, for ./bench: waits until every source moves, lets WARMUP
seconds pass (connection, ramp-up, the daemon's tiered JIT), then takes SAMPLES windows of
WINDOW seconds and prints the median of the windows' summed rates in Mpps, then each window's:
    rates.py [--warmup S] [--window S] [--samples N] [--timeout S] [--decimals N] SOURCE...
A SOURCE is
    dpdk:PREFIX:PORT:ipackets|opackets   a testpmd's port counter, read through DPDK telemetry
                                         (/var/run/dpdk/PREFIX/dpdk_telemetry.v2)
    file:PATH                            a number in a file (a netdev's statistics in sysfs)
The counters are read when a window starts and ends, so the windows need not follow testpmd's
one-second --stats-period ticks; a window in which nothing moved does not count. Prints 0 and exits 1 when a source does not move within
TIMEOUT seconds (a backend that did not connect or forward). With --samples 0 it only waits
(moving, then the warm-up) and prints nothing."""
import argparse
import json
import os
import socket
import statistics
import sys
import time

POLL = 0.05  # seconds between reads while waiting for the sources to move
# Traffic has started when every source has counted MOVING_FRAMES within MOVING_SPAN seconds: a
# ring filled once at connection (256 frames a queue, then nothing until the peer forwards) has
# not, nor a trickle; 5 kpps is below anything a backend moves, also on a loaded machine.
MOVING_SPAN, MOVING_FRAMES = 0.2, 1000


class Telemetry:
    """One testpmd port counter over the telemetry socket (connected lazily: a vhost-user server
    generator creates the socket only once its first client has connected)."""

    def __init__(self, prefix, port, counter):
        self.path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        self.request = f"/ethdev/stats,{port}".encode()
        self.counter = counter
        self.sock = None

    def read(self):
        if self.sock is None:
            if not os.path.exists(self.path):
                return None
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self.sock.connect(self.path)
            info = json.loads(self.sock.recv(1024))
            self.max_len = info.get("max_output_len", 16384)
        self.sock.send(self.request)
        reply = json.loads(self.sock.recv(self.max_len))
        stats = reply.get("/ethdev/stats")
        return stats[self.counter] if stats else None


class CounterFile:
    def __init__(self, path):
        self.path = path

    def read(self):
        try:
            with open(self.path) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None


def source(spec):
    kind, _, rest = spec.partition(":")
    if kind == "file":
        return CounterFile(rest)
    parts = rest.split(":")
    if kind == "dpdk" and len(parts) == 3 and parts[2] in ("ipackets", "opackets"):
        return Telemetry(*parts)
    raise argparse.ArgumentTypeError(f"bad source '{spec}'")


def read_all(sources):
    return [s.read() for s in sources], time.monotonic()


def wait_until_moving(sources, deadline):
    """True once every source has counted MOVING_FRAMES within the last MOVING_SPAN seconds."""
    history = [read_all(sources)]
    while time.monotonic() < deadline:
        time.sleep(POLL)
        now, t = read_all(sources)
        while len(history) > 1 and t - history[1][1] >= MOVING_SPAN:
            history.pop(0)
        then, t0 = history[0]
        if t - t0 >= MOVING_SPAN and all(
                a is not None and b is not None and b - a >= MOVING_FRAMES for a, b in zip(then, now)):
            return True
        history.append((now, t))
    return False


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--window", type=float, default=0.5)
    p.add_argument("--samples", type=int, default=3)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--decimals", type=int, default=2)
    p.add_argument("sources", nargs="+", type=source)
    a = p.parse_args()
    try:
        deadline = time.monotonic() + a.timeout
        if not wait_until_moving(a.sources, deadline):
            print(0)
            return 1
        time.sleep(a.warmup)
        if a.samples == 0:
            return 0
        rates = []
        before, t0 = read_all(a.sources)
        while len(rates) < a.samples:
            time.sleep(a.window)
            after, t1 = read_all(a.sources)
            frames = sum(y - x for x, y in zip(before, after))
            # A window in which nothing moved is the machine's stall, not a rate (testpmd's
            # samples were taken the same way): taken again, until the timeout.
            if frames > 0:
                rates.append(frames / (t1 - t0) / 1e6)
            elif t1 > deadline:
                break
            before, t0 = after, t1
        if not rates:
            print(0)
            return 1
    except (OSError, ValueError, TypeError) as e:  # a source went away mid-measurement
        print(f"rates: {e}", file=sys.stderr)
        print(0)
        return 1
    fmt = f"%.{a.decimals}f"
    print(" ".join(fmt % r for r in [statistics.median(rates)] + rates))
    return 0


if __name__ == "__main__":
    sys.exit(main())
