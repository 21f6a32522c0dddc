"""QMP for the fake qemu-system-x86_64: the wire protocol and the answers.

ProbeMachine answers libvirt's capability probe from a recording of the real
QEMU (or records one by proxying to it); DomainMachine plays a guest that
libvirt starts, pauses, measures, injects a secret into, resumes and stops.
"""

import base64
import ctypes
import json
import os
import signal
import socket
import subprocess
import threading
import time

DECODER = json.JSONDecoder()


def now_stamp():
    t = time.time()
    return {"seconds": int(t), "microseconds": int((t % 1) * 1e6)}


class QmpError(Exception):
    """A command QEMU refuses: answered as a GenericError."""


def error(desc, klass="GenericError"):
    return {"error": {"class": klass, "desc": desc}}


class Connection:
    """One monitor connection: JSON objects in, replies and events out."""

    def __init__(self, conn):
        self.conn = conn
        self.lock = threading.Lock()
        self.buffer = ""

    def send(self, obj):
        data = (json.dumps(obj) + "\r\n").encode()
        with self.lock:
            self.conn.sendall(data)

    def event(self, name, data=None):
        message = {"event": name, "timestamp": now_stamp()}
        if data is not None:
            message["data"] = data
        self.send(message)

    def messages(self):
        while True:
            self.buffer = self.buffer.lstrip()
            while self.buffer:
                try:
                    obj, end = DECODER.raw_decode(self.buffer)
                except ValueError:
                    break
                self.buffer = self.buffer[end:].lstrip()
                yield obj
            chunk = self.conn.recv(65536)
            if not chunk:
                return
            self.buffer += chunk.decode()


def serve(conn, machine, log):
    link = Connection(conn)
    machine.attach(link)
    link.send(machine.greeting())
    try:
        for message in link.messages():
            execute = message.get("execute", "")
            arguments = message.get("arguments", {})
            log.write("qmp", execute=execute, arguments=arguments)
            reply = machine.answer(execute, arguments)
            if "id" in message:
                reply = dict(reply, id=message["id"])
            link.send(reply)
            machine.after(execute)
    except (ConnectionError, OSError):
        pass
    finally:
        machine.attach(None)
        conn.close()


def reply_key(execute, arguments):
    return json.dumps([execute, arguments or {}], sort_keys=True)


class ProbeMachine:
    """libvirt's capability probe, answered from the recording."""

    def __init__(self, argv, config, log):
        self.kvm = any("kvm" in m for m in self._accel(argv))
        self.sev = config["sev"]
        self.log = log
        self.recorder = Recorder(argv, config["record"]) if config.get("record") else None
        self.replies = {}
        if self.recorder:
            return
        with open(config["probe_replies"], encoding="utf-8") as f:
            recording = json.load(f)
        self.greeting_message = recording["greeting"]
        self.replies = {reply_key(r["execute"], r.get("arguments")): r["reply"]
                        for r in recording["replies"]}

    @staticmethod
    def _accel(argv):
        values = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("-machine", "-accel")]
        return [v for v in values if "accel" in v or v in ("kvm", "tcg")]

    def attach(self, link):
        pass

    def greeting(self):
        if self.recorder:
            return self.recorder.greeting
        return self.greeting_message

    def answer(self, execute, arguments):
        if execute == "query-kvm":
            return {"return": {"enabled": self.kvm, "present": self.kvm}}
        if execute == "query-sev-capabilities":
            return {"return": {"pdh": self.sev["pdh"], "cert-chain": self.sev["cert_chain"],
                               "cpu0-id": self.sev["cpu0_id"], "cbitpos": self.sev["cbitpos"],
                               "reduced-phys-bits": self.sev["reduced_phys_bits"]}}
        if self.recorder:
            return self.recorder.forward(execute, arguments)
        reply = self.replies.get(reply_key(execute, arguments))
        if reply is None:
            self.log.write("unrecorded", execute=execute, arguments=arguments)
            return error("fake QEMU: no recorded reply for " + execute)
        return reply

    def after(self, execute):
        if execute == "quit":
            os._exit(0)


def die_with_parent():
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


class Recorder:
    """Record mode: the real QEMU answers; every (command, reply) is kept."""

    def __init__(self, argv, record):
        self.out = record["out"]
        path = record["out"] + ".%d.sock" % os.getpid()
        args = [record["qemu"]]
        skip = {"-qmp", "-pidfile"}
        i = 0
        while i < len(argv):
            if argv[i] in skip:
                i += 2
                continue
            if argv[i] != "-daemonize":
                args.append(argv[i].replace("accel=kvm:tcg", "accel=tcg"))
            i += 1
        args += ["-qmp", "unix:%s,server=on,wait=off" % path]
        # libvirt ends a probe with SIGKILL: the real QEMU must die with the fake.
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        for _ in range(200):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.link = Connection(self.sock)
        self.incoming = self.link.messages()
        self.greeting = next(self.incoming)
        self.next_id = 0

    def forward(self, execute, arguments):
        self.next_id += 1
        message = {"execute": execute, "id": "rec-%d" % self.next_id}
        if arguments:
            message["arguments"] = arguments
        self.link.send(message)
        for reply in self.incoming:
            if reply.get("id") == message["id"]:
                reply.pop("id")
                self.save(execute, arguments, reply)
                return reply
        raise ConnectionError("the real QEMU closed its monitor")

    def save(self, execute, arguments, reply):
        try:
            with open(self.out, encoding="utf-8") as f:
                recording = json.load(f)
        except FileNotFoundError:
            recording = {"greeting": self.greeting, "replies": []}
        recording["greeting"] = self.greeting
        keys = {reply_key(r["execute"], r.get("arguments")) for r in recording["replies"]}
        if reply_key(execute, arguments) not in keys:
            recording["replies"].append({"execute": execute, "arguments": arguments or {},
                                         "reply": reply})
        tmp = self.out + ".%d.tmp" % os.getpid()
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(recording, f, indent=1, sort_keys=True)
        os.rename(tmp, self.out)


def smp_topology(argv):
    """(vcpus, sockets, cores, threads) from -smp N,sockets=S,cores=C,threads=T."""
    text = ([argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-smp"] or ["1"])[0]
    parts = text.split(",")
    values = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    count = int(parts[0]) if parts[0].isdigit() else int(values.get("cpus", "1"))
    cores = int(values.get("cores", "1"))
    threads = int(values.get("threads", "1"))
    sockets = int(values.get("sockets", str(max(1, count // (cores * threads)))))
    return count, sockets, cores, threads


class DomainMachine:
    """A guest as libvirt starts it: -S (prelaunch), cont, stop, measure, inject."""

    def __init__(self, argv, config, log, parse_object):
        self.argv = argv
        self.sev = config["sev"]
        self.log = log
        self.link = None
        self.status = "prelaunch" if "-S" in argv else "running"
        self.sev_started = False  # a cont ends the launch: no more injection
        self.devices = []
        self.ptys = {}
        self.sev_object = None
        self._read_command_line(parse_object)

    def _read_command_line(self, parse_object):
        for i, arg in enumerate(self.argv[:-1]):
            value = self.argv[i + 1]
            if arg == "-device":
                obj = parse_object(value) if value.startswith("{") else None
                if obj is None:
                    head, opts = value.split(",")[0], dict(
                        p.split("=", 1) for p in value.split(",")[1:] if "=" in p)
                    obj = dict(opts, driver=head)
                if obj.get("id"):
                    self.devices.append((obj["id"], obj.get("driver", "")))
            elif arg == "-chardev" and value.startswith("pty,"):
                label = dict(p.split("=", 1) for p in value.split(",")[1:] if "=" in p)["id"]
                master, slave = os.openpty()
                self.ptys[label] = (master, slave, os.ttyname(slave))
            elif arg == "-object":
                obj = parse_object(value)
                if obj.get("qom-type") == "sev-guest":
                    self.sev_object = obj
        if self.sev_object:
            self.log.write("sev-guest", object=self.sev_object,
                           dh_cert=self._read(self.sev_object.get("dh-cert-file")),
                           session=self._read(self.sev_object.get("session-file")))

    @staticmethod
    def _read(path):
        if not path:
            return None
        with open(path, encoding="ascii") as f:
            return f.read()

    def attach(self, link):
        self.link = link

    def greeting(self):
        return {"QMP": {"version": {"qemu": {"major": 7, "minor": 2, "micro": 0},
                                    "package": "fake"}, "capabilities": ["oob"]}}

    def _cpus(self):
        count, sockets, cores, threads = smp_topology(self.argv)
        cpus = []
        for index in range(count):
            props = {"socket-id": index // (cores * threads), "core-id": (index // threads) % cores,
                     "thread-id": index % threads}
            cpus.append((index, props, "/machine/unattached/device[%d]" % index))
        return cpus, sockets

    def answer(self, execute, arguments):
        handler = getattr(self, "q_" + execute.replace("-", "_"), None)
        if handler:
            try:
                return {"return": handler(arguments)}
            except QmpError as e:
                return error(str(e))
        if execute in LIST_REPLIES:
            return {"return": []}
        return {"return": {}}

    def after(self, execute):
        if execute == "quit":
            os._exit(0)

    def _event(self, name, data=None):
        if self.link:
            self.link.event(name, data)

    def q_query_status(self, _):
        return {"status": self.status, "running": self.status == "running",
                "singlestep": False}

    def q_cont(self, _):
        self.status = "running"
        self.sev_started = True
        self._event("RESUME")
        return {}

    def q_stop(self, _):
        self.status = "paused"
        self._event("STOP")
        return {}

    def q_system_powerdown(self, _):
        def power_off():
            time.sleep(0.1)
            self._event("POWERDOWN")
            self._event("SHUTDOWN", {"guest": True, "reason": "guest-shutdown"})
            time.sleep(0.1)
            os._exit(0)
        threading.Thread(target=power_off, daemon=True).start()
        return {}

    def q_query_kvm(self, _):
        return {"enabled": True, "present": True}

    def q_query_chardev(self, _):
        devices = [{"label": "charmonitor", "filename": "unix:", "frontend-open": True}]
        for label, (_, _, path) in self.ptys.items():
            devices.append({"label": label, "filename": "pty:" + path, "frontend-open": True})
        return devices

    def q_query_cpus_fast(self, _):
        cpus, _ = self._cpus()
        return [{"cpu-index": i, "qom-path": path, "thread-id": os.getpid(), "props": props,
                 "target": "x86_64"} for i, props, path in cpus]

    def q_query_hotpluggable_cpus(self, _):
        cpus, _ = self._cpus()
        return [{"type": "host-x86_64-cpu", "vcpus-count": 1, "props": props, "qom-path": path}
                for _, props, path in reversed(cpus)]

    def q_qom_list(self, arguments):
        if arguments.get("path") == "/machine/peripheral":
            return [{"name": dev_id, "type": "child<%s>" % driver}
                    for dev_id, driver in self.devices]
        return []

    def q_qom_get(self, arguments):
        if arguments.get("property") in ("unavailable-features", "filtered-features"):
            return []
        return {}

    def q_query_sev(self, _):
        if not self.sev_object:
            return {"enabled": False}
        state = "running" if self.sev_started else "launch-secret"
        return {"enabled": True, "api-major": self.sev["api_major"],
                "api-minor": self.sev["api_minor"], "build-id": self.sev["build_id"],
                "policy": int(self.sev_object.get("policy", 0)), "state": state, "handle": 1}

    def q_query_sev_launch_measure(self, _):
        return {"data": self.sev["measurement"]}

    def q_sev_inject_launch_secret(self, arguments):
        if not self.sev_object or self.sev_started:
            raise QmpError("SEV: Not in correct state")
        for key in ("packet-header", "secret"):
            try:
                base64.b64decode(arguments.get(key, ""), validate=True)  # QEMU decodes both
            except ValueError as e:
                raise QmpError("Invalid base64 in '%s': %s" % (key, e)) from e
        return {}


# Commands libvirt reads as arrays; any other unknown command answers {}.
LIST_REPLIES = {
    "query-migrate-capabilities", "query-iothreads", "query-named-block-nodes", "query-block",
    "query-blockstats", "query-memory-devices", "query-fdsets", "query-pci", "query-rx-filter",
    "query-block-jobs", "query-jobs", "query-memdev", "query-dump-guest-memory-capability",
}
