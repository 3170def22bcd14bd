"""The WebKitGTK side of the WebKit player: a child process on Debian's ``/usr/bin/python3``
with PyGObject (stdlib and ``gi`` only: it never imports the project).

It speaks JSON lines: first it says ``{"ready": true, "version": ...}`` on stdout. Each job
comes on stdin (``url``: the page to load, page.py's ``marker``, ``time_limit``,
``settle_ms``); once the page has loaded it says ``{"loaded": true}`` and waits for
``{"go": true}`` (the parent's servers log the scenario's requests from then on), runs the
page's ``corsInspectorStart()`` and answers ``outcome`` (the object page.py's script logs
after its marker; None on a timeout), ``console`` (``[level, text]`` pairs: WebKit's own
lines between the run's start and end marks) and ``failure`` (why the page could not run,
or None).

Each job gets a fresh WebContext and a WebsiteDataManager in a fresh folder (no cache,
cookies or preflight cache carried over) inside the folder named by the first argument,
which the parent removes at the end. Not an ephemeral one:
in an ephemeral session WebKit prints no console lines at all. TLS errors are ignored (the
servers use a throw-away certificate). WebKit prints the console on the web process's
standard error (``enable-write-console-messages-to-stdout``); both of this process's
standard streams are pointed at a pipe read here, so the web processes inherit it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import threading
from typing import Any

import gi  # type: ignore[import-not-found]

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import GLib, Gtk, WebKit2  # type: ignore[import-not-found]  # noqa: E402

START_MARK = "__corsinspector_start__"
END_MARK = "__corsinspector_end__"
LEVELS = {"LOG": "log", "DEBUG": "debug", "INFO": "info", "WARN": "warning", "ERROR": "error"}
# "https://app.example.test/:3:29: CONSOLE SECURITY ERROR text" (the location is optional)
_CONSOLE = re.compile(r"^(?:\S*?:\d+(?::\d+)?: )?CONSOLE ([A-Z][A-Z-]*) (?:([A-Z]+) )?(.*)$")
# A GLib or GTK diagnostic of some process, not a console line's continuation.
_NOISE = re.compile(r"^(?:\(\S+:\d+\): |\*\* |\S+-(?:WARNING|CRITICAL|Message|DEBUG) )")


def parse_console(line: str) -> tuple[str, str] | None:
    """``(level, text)`` of a console line WebKit printed, or None for another line."""
    match = _CONSOLE.match(line)
    if match is None:
        return None
    first, second, rest = match.groups()
    if first in LEVELS:  # console.log() and friends: no source word
        return LEVELS[first], (f"{second} {rest}" if second else rest)
    if second is None or second not in LEVELS:
        return None
    return LEVELS[second], rest


class Job:
    """One page load and fetch in a fresh context; ``reply`` gets the answer once."""

    def __init__(self, spec: dict[str, Any], root: str, tell: Any, reply: Any) -> None:
        self.tell = tell
        self.reply = reply
        self.lines: list[list[str]] = []
        self.started = False
        self.outcome: dict[str, Any] | None = None
        self.done = False
        self.settle_ms = int(spec["settle_ms"])
        self.marker = str(spec["marker"])  # page.py's: its outcome follows it on the console
        self.folder = tempfile.mkdtemp(prefix="job-", dir=root)
        manager = WebKit2.WebsiteDataManager(
            base_data_directory=os.path.join(self.folder, "data"),
            base_cache_directory=os.path.join(self.folder, "cache"),
        )
        manager.set_tls_errors_policy(WebKit2.TLSErrorsPolicy.IGNORE)
        self.context = WebKit2.WebContext.new_with_website_data_manager(manager)
        self.context.set_preferred_languages(["en-US"])
        self.context.set_cache_model(WebKit2.CacheModel.DOCUMENT_VIEWER)
        self.view = WebKit2.WebView.new_with_context(self.context)
        settings = self.view.get_settings()
        settings.set_property("enable-write-console-messages-to-stdout", True)
        settings.set_property("enable-dns-prefetching", False)
        settings.set_property("enable-page-cache", False)
        self.window = Gtk.OffscreenWindow()
        self.window.add(self.view)
        self.window.show_all()
        self.view.connect("load-changed", self._on_load)
        self.view.connect("load-failed", self._on_load_failed)
        self.deadline = GLib.timeout_add(int(float(spec["time_limit"]) * 1000), self._on_timeout)
        if spec.get("html") is not None:  # a live request's page: its origin without a server
            self.view.load_alternate_html(spec["html"], spec["url"], spec["url"])
        else:
            self.view.load_uri(spec["url"])

    def _on_load(self, view: Any, event: Any) -> None:
        if event == WebKit2.LoadEvent.FINISHED and not self.done:
            self.tell({"loaded": True})

    def go(self) -> None:
        if not self.started and not self.done:
            self.started = True
            self._run(f"console.log({json.dumps(START_MARK)}); window.corsInspectorStart(); 0")

    def _on_load_failed(self, view: Any, event: Any, uri: str, error: Any) -> bool:
        self.finish(f"the page did not load: {error.message}")
        return True

    def _run(self, script: str) -> None:
        self.view.evaluate_javascript(script, -1, None, None, None, self._ran)

    def _ran(self, view: Any, result: Any) -> None:
        try:
            view.evaluate_javascript_finish(result)
        except GLib.Error as exc:  # the page's script failed: the marker never comes
            self.finish(f"the page's script failed: {exc.message}")

    def on_line(self, level: str, text: str) -> None:
        if text == START_MARK:
            self.lines.clear()
        elif text.startswith(self.marker) and self.outcome is None:
            self.outcome = json.loads(text[len(self.marker) :])
            GLib.timeout_add(self.settle_ms, self._end)
        elif text == END_MARK:
            self.finish()
        elif not text.startswith(self.marker):
            self.lines.append([level, text])

    def continue_line(self, text: str) -> None:
        if self.lines:
            self.lines[-1][1] += "\n" + text

    def _end(self) -> bool:
        self._run(f"console.log({json.dumps(END_MARK)}); 0")
        return False

    def _on_timeout(self) -> bool:
        self.deadline = 0
        self.outcome = None
        self.finish()
        return False

    def finish(self, failure: str | None = None) -> None:
        if self.done:
            return
        self.done = True
        if self.deadline:
            GLib.source_remove(self.deadline)
        answer = {"outcome": self.outcome, "console": self.lines, "failure": failure}
        self.window.destroy()
        self.view = self.window = self.context = None
        shutil.rmtree(self.folder, ignore_errors=True)
        self.reply(answer)


class Child:
    def __init__(self, reply_fd: int, root: str) -> None:
        self.out = os.fdopen(reply_fd, "w", encoding="utf-8", buffering=1)
        self.root = root  # the parent's folder: job folders go in it, the parent removes it
        self.job: Job | None = None
        self.last_folder: str | None = None

    def send(self, message: dict[str, Any]) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def answer(self, message: dict[str, Any]) -> None:
        self.job = None
        self.send(message)

    def start(self, line: str) -> bool:
        """A line read from stdin (on the main loop): a job, ``go``, or "" (stdin closed)."""
        if not line.strip():
            Gtk.main_quit()
            return False
        message = json.loads(line)
        if message.get("go"):
            if self.job is not None:
                self.job.go()
        elif self.job is None:
            if self.last_folder:  # the network process may have written there after its job
                shutil.rmtree(self.last_folder, ignore_errors=True)
            self.job = Job(message, self.root, self.send, self.answer)
            self.last_folder = self.job.folder
        return False

    def console(self, line: str) -> bool:
        """A line the web process printed (on the main loop)."""
        job = self.job
        if job is None or job.done:
            return False
        parsed = parse_console(line)
        if parsed is not None:
            job.on_line(*parsed)
        elif not _NOISE.match(line):
            job.continue_line(line)
        return False


def _read_console(fd: int, child: Child) -> None:
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as stream:
        for line in stream:
            GLib.idle_add(child.console, line.rstrip("\n"))


def _read_jobs(child: Child) -> None:
    for line in sys.stdin:
        GLib.idle_add(child.start, line)
    GLib.idle_add(child.start, "")


def main() -> int:
    replies = os.dup(1)
    diagnostics = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)
    sys.stdout = sys.stderr = os.fdopen(diagnostics, "w", buffering=1)
    child = Child(replies, sys.argv[1])
    threading.Thread(target=_read_console, args=(read_end, child), daemon=True).start()
    if not Gtk.init_check([])[0]:
        child.send({"ready": False, "failure": "no display for WebKitGTK"})
        return 1
    version = ".".join(
        str(n)
        for n in (
            WebKit2.get_major_version(),
            WebKit2.get_minor_version(),
            WebKit2.get_micro_version(),
        )
    )
    child.send({"ready": True, "version": version})
    threading.Thread(target=_read_jobs, args=(child,), daemon=True).start()
    Gtk.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
