#!/usr/bin/python3
"""GetAll on org.sevd.Host1 and GetId on the bus itself, from python-dbus.

Usage: getall_rate.py ADDRESS ROUNDS CALLS
Prints one line per round: "<getid calls/s> <getall calls/s>".
"""
import sys
import time

import dbus


def rate(call, count):
    start = time.perf_counter()
    for _ in range(count):
        call()
    return count / (time.perf_counter() - start)


def main():
    address, rounds, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bus = dbus.bus.BusConnection(address)
    daemon = dbus.Interface(bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus"),
                            "org.freedesktop.DBus")
    host = dbus.Interface(bus.get_object("org.sevd.Host1", "/org/sevd/Host1"),
                          "org.freedesktop.DBus.Properties")
    get_id = daemon.GetId
    get_all = lambda: host.GetAll("org.sevd.Host1")
    rate(get_id, calls // 5)  # warm-up
    rate(get_all, calls // 5)
    for _ in range(rounds):
        print(rate(get_id, calls), rate(get_all, calls), flush=True)


if __name__ == "__main__":
    main()
