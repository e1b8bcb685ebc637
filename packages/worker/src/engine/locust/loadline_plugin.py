"""Loadline's side of a Locust process that a Loadline worker runs (docs/locust.md).

The worker starts `locust -f loadline_plugin.py,locustfile.py --headless` with this file first,
so that all of this holds before the tenant's locustfile is imported:

- the target guard: every socket connect (and sendto) to an address the worker did not approve
  (LOADLINE_ALLOWED_ADDRESSES, "ip:port" and "[ipv6]:port" separated by commas) raises
  LoadlineBlocked, an OSError, so the request fails (kind "blocked") and nothing is sent;
- the channel: fd LOADLINE_CHANNEL_FD (a socket pair with the worker) carries one JSON array a
  line each way. Out: ["ready"], ["r", end_ms, name, method, time_ms, bytes_in, bytes_out,
  status, kind] per request Locust reports, ["i", ms, name, method] per request the stop
  interrupted in flight, ["u", users] when the user count changes, ["stopped"]. In:
  {"cmd": "go", "at": ms, "users": n, "rate": r}, {"cmd": "users", ...}, {"cmd": "stop",
  "timeout": s}. The worker closing its end means it is gone: this process exits at once;
- the start: Locust's headless start waits in the init event until "go", then starts at `at`
  (the run's agreed start, epoch ms) with that many users.

Times are exact: HttpSession's own float milliseconds; FastHttpSession rounds its own down to
whole ms, so its requests are timed here around the same call.
"""

import ipaddress
import json
import os
import shutil
import socket
import time

import gevent
from gevent import GreenletExit, monkey
from gevent.event import Event
from locust import events
from locust.clients import HttpSession
from locust.contrib.fasthttp import FastHttpSession

CHANNEL_FD = int(os.environ.get("LOADLINE_CHANNEL_FD", "3"))
FLUSH_EVERY_SEC = 0.05
USERS_EVERY_SEC = 0.2


class LoadlineBlocked(PermissionError):
    """A connect to an address the worker did not approve for this run (its target's)."""


def _address_key(host, port):
    """'ip:port' or '[ipv6]:port', the form the worker sends; None when host is not an IP literal."""
    try:
        ip = ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return f"[{ip.compressed}]:{port}" if ip.version == 6 else f"{ip.compressed}:{port}"


def _approved(entries):
    """The approved set in this file's own form, whatever spelling of an address the worker used."""
    keys = set()
    for entry in entries.split(","):
        host, _, port = entry.strip().rpartition(":")
        key = _address_key(host.strip("[]"), port) if port.isdigit() else None
        if key is not None:
            keys.add(key)
    return frozenset(keys)


APPROVED = _approved(os.environ.get("LOADLINE_ALLOWED_ADDRESSES", ""))


def _check_address(address):
    if not isinstance(address, tuple) or len(address) < 2:
        raise LoadlineBlocked(13, f"loadline: connections to {address!r} are not allowed: only the test's target")
    key = _address_key(address[0], address[1])
    if key is None:
        raise LoadlineBlocked(13, f"loadline: connect by address only, not to {address[0]!r}")
    if key not in APPROVED:
        raise LoadlineBlocked(13, f"loadline: {key} is not the test's target: the tenant's allow-list admits only its targetUrl")


def _guard(cls):
    connect, connect_ex, sendto = cls.connect, cls.connect_ex, cls.sendto

    def guarded_connect(self, address):
        _check_address(address)
        return connect(self, address)

    def guarded_connect_ex(self, address):
        _check_address(address)
        return connect_ex(self, address)

    def guarded_sendto(self, data, *args):
        _check_address(args[-1])
        return sendto(self, data, *args)

    cls.connect, cls.connect_ex, cls.sendto = guarded_connect, guarded_connect_ex, guarded_sendto


# gevent's socket class (what socket.socket is once locust has patched) and the stdlib's own.
for _cls in {socket.socket, monkey.get_original("socket", "socket")}:
    _guard(_cls)


class _Channel:
    """The socket pair with the worker: lines out through a buffer flushed often, lines in as commands."""

    def __init__(self, fd):
        self.sock = socket.socket(fileno=fd)
        self.out = []
        self.pending = b""

    def send(self, record):
        self.out.append(json.dumps(record, separators=(",", ":")))

    def flush(self):
        if self.out:
            data, self.out = "\n".join(self.out) + "\n", []
            self.sock.sendall(data.encode("utf-8", "replace"))

    def commands(self):
        """Each command line as a dict; ends when the worker closes its end."""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            self.pending += chunk
            *lines, self.pending = self.pending.split(b"\n")
            for line in lines:
                if line.strip():
                    yield json.loads(line)


channel = _Channel(CHANNEL_FD)


def _forget_files():
    """Removes the private dir with the locustfile once imported: a worker killed outright leaves no tenant code on disk."""
    private = os.environ.get("LOADLINE_PRIVATE_DIR", "")
    if os.path.basename(private).startswith("loadline-locust-"):
        shutil.rmtree(private, ignore_errors=True)


def _gone():
    """The worker closed the channel (it stopped, or died): nothing may outlive it."""
    _forget_files()
    os._exit(0)


class _InFlight:
    """A request under way in a user's greenlet: what to report if the stop kills it, and when it began."""

    __slots__ = ("name", "method", "started", "times_itself", "reported")

    def __init__(self, name, method, times_itself):
        self.name, self.method, self.times_itself = name, method, times_itself
        self.started, self.reported = time.perf_counter(), False


_in_flight = {}


def _path_of(url):
    rest = str(url).split("://", 1)[-1]
    i = rest.find("/")
    return rest[i:] if i >= 0 else "/"


def _track(cls, times_itself):
    """Wraps cls.request: a request the stop kills in flight is reported interrupted; a client that rounds its time is timed here."""
    request = cls.request

    def tracked(self, method, url, *args, **kwargs):
        name = kwargs.get("name") or (args[0] if args else None) or getattr(self, "request_name", None) or _path_of(url)
        me = gevent.getcurrent()
        outer = _in_flight.get(me)
        flight = _in_flight[me] = _InFlight(name, str(method).upper(), times_itself)
        try:
            result = request(self, method, url, *args, **kwargs)
        except GreenletExit:
            if not flight.reported:
                channel.send(["i", time.time() * 1000, flight.name, flight.method])
            raise
        finally:
            if outer is None:
                _in_flight.pop(me, None)
            else:
                _in_flight[me] = outer
        meta = getattr(result, "request_meta", None)
        if times_itself and isinstance(meta, dict) and not flight.reported:
            # catch_response: the event fires when the user's block exits; the time is the request's, taken now.
            meta["response_time"] = (time.perf_counter() - flight.started) * 1000
        return result

    cls.request = tracked


_track(HttpSession, times_itself=False)
_track(FastHttpSession, times_itself=True)


def _chain(exception):
    seen = []
    e = exception
    while e is not None and len(seen) < 10 and e not in seen:
        seen.append(e)
        e = e.__cause__ or e.__context__
    return seen


def _named(chain, *words):
    return any(word in cls.__name__.lower() for e in chain for cls in type(e).__mro__ for word in words)


def failure_kind(exception, status, transport_error=None):
    """Loadline's failure kind of a request Locust reports failed: transport first, then the status, then the user's own check.

    `transport_error` is the response's own error (Locust keeps it there when the user's check replaced it as the exception).
    """
    if exception is None:
        return None
    chain = _chain(transport_error) + _chain(exception)
    if any(isinstance(e, LoadlineBlocked) for e in chain):
        return "blocked"
    if status and status >= 500:
        return "5xx"
    if status and status >= 400:
        return "4xx"
    if _named(chain, "ssl", "certificate"):
        return "tls"
    if _named(chain, "timeout"):
        return "timeout"
    if _named(chain, "reset", "brokenpipe", "aborted", "remotedisconnected", "protocolerror"):
        return "reset"
    if _named(chain, "connection", "gaierror", "newconnection", "maxretry", "refused") or isinstance(exception, OSError):
        return "connect"
    return "check"


def _status_of(response):
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) and status > 0 else None


def _bytes_out(response):
    body = getattr(getattr(response, "request", None), "body", None)
    return len(body) if isinstance(body, (bytes, str)) else 0


@events.request.add_listener
def on_request(request_type, name, response_time, response_length, response=None, exception=None, start_time=None, **_kwargs):
    flight = _in_flight.get(gevent.getcurrent())
    if flight is not None and not flight.reported:
        flight.reported = True
        if flight.times_itself:
            response_time = (time.perf_counter() - flight.started) * 1000
    status = _status_of(response)
    end_ms = (start_time * 1000 + response_time) if start_time else time.time() * 1000
    channel.send(
        [
            "r",
            end_ms,
            str(name),
            str(request_type),
            float(response_time or 0),
            int(response_length or 0),
            _bytes_out(response),
            status,
            failure_kind(exception, status, getattr(response, "error", None)),
        ]
    )


def _pump(runner):
    """Flushes the records often, and says when the user count changes."""
    users, last_users_at = None, 0.0
    while True:
        now = time.monotonic()
        if now - last_users_at >= USERS_EVERY_SEC:
            last_users_at = now
            if runner.user_count != users:
                users = runner.user_count
                channel.send(["u", users])
        channel.flush()
        gevent.sleep(FLUSH_EVERY_SEC)


def _stop(environment, runner, timeout):
    environment.stop_timeout = max(0.0, float(timeout))
    runner.stop()
    channel.send(["u", runner.user_count])
    channel.send(["stopped"])
    channel.flush()
    runner.quit()


def _follow(environment, runner, commands, started):
    for command in commands:
        if command.get("cmd") == "users":
            # After Locust's own headless start, or that start (with the users at "go") would undo this count.
            started.wait()
            if runner.state not in ("stopping", "stopped", "cleanup"):
                runner.start(int(command["users"]), float(command["rate"]))
        elif command.get("cmd") == "stop" and not started.is_set():
            # Stopped before its start: no user ever ran.
            channel.send(["stopped"])
            channel.flush()
            _gone()
        elif command.get("cmd") == "stop":
            _stop(environment, runner, command.get("timeout", 0))
    _gone()


@events.init.add_listener
def on_init(environment, runner, **_kwargs):
    _forget_files()
    channel.send(["ready"])
    channel.flush()
    commands = channel.commands()
    go = next(commands, None)
    if go is None or go.get("cmd") != "go":
        _gone()
    # Locust's headless start follows this event: it starts these users, at the agreed instant.
    environment.parsed_options.num_users = int(go["users"])
    environment.parsed_options.spawn_rate = float(go["rate"])
    started = Event()
    start = runner.start

    def first_start(*args, **kwargs):
        start(*args, **kwargs)
        started.set()

    runner.start = first_start
    gevent.spawn(_pump, runner)
    gevent.spawn(_follow, environment, runner, commands, started)
    wait = go["at"] / 1000 - time.time()
    if wait > 0:
        gevent.sleep(wait)
