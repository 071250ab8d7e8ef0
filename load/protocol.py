"""Sessions that speak Streamlit's websocket protocol directly (the load test's non-browser sessions).

No browser: each session is one websocket to ``/_stcore/stream`` sending the ``BackMsg``
protobufs the browser would send (``rerun_script`` with the page, the link's query string and
widget states) and reading the ``ForwardMsg`` replies until ``script_finished``. It measures the
server alone, without 50 Chromium renderers competing for the same two cores, and checks the same
things: no exception element and no error alert in any run.

It is a model of the browser, not the browser: it does not load the page's static files, does not
draw, and sends only the widget it changes (others keep their session values).

Behind the proxy (``python -m load --replicas N``, deploy/serve.py) a session carries a route cookie
of its own on every connection and request, as a browser keeps the one nginx gives it, and it can
download: it asks for a download button's file (built only then, as on a click) and fetches the
file's URL, which exists only in the replica that holds the session.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg, DeferredFileRequestPayload
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.typing import Origin, Subprotocol

from load.sessions import FILTERS, BaseSession, Timing


@dataclass
class Run:
    """What one script run sent: its errors, the sidebar multiselects (label -> (id, options)), the metric
    tiles (label -> value as shown) and the download buttons (label, deferred file id or URL), in order."""

    errors: list[str] = field(default_factory=list)
    multiselects: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    metrics: dict[str, str] = field(default_factory=dict)
    downloads: list[tuple[str, str, str]] = field(default_factory=list)
    finished: bool = False


@dataclass
class Download:
    """A file fetched through a download button: its URL (as the server gave it) and bytes."""

    label: str
    url: str
    status: int
    body: bytes


def read_message(payload: bytes, run: Run, session: ProtocolSession | None = None) -> ForwardMsg:
    message = ForwardMsg()
    message.ParseFromString(payload)
    kind = message.WhichOneof("type")
    if kind == "new_session" and session is not None:
        session.session_id = message.new_session.initialize.session_id
    elif kind == "script_finished":
        run.finished = message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
    elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
        element = message.delta.new_element
        which = element.WhichOneof("type")
        if which == "exception":
            run.errors.append(f"exception: {element.exception.type}: {element.exception.message[:200]}")
        elif which == "alert" and element.alert.format == element.alert.ERROR:
            run.errors.append(f"error box: {element.alert.body[:200]}")
        elif which == "multiselect":
            run.multiselects[element.multiselect.label] = (element.multiselect.id, list(element.multiselect.options))
        elif which == "metric":
            run.metrics[element.metric.label] = element.metric.body
        elif which == "download_button":
            button = element.download_button
            run.downloads.append((button.label, button.deferred_file_id, button.url))
    elif kind == "page_not_found":
        run.errors.append(f"page not found: {message.page_not_found.page_name}")
    return message


@dataclass
class ProtocolSession(BaseSession):
    base_url: str
    websocket: object | None = None
    link: str = "/"
    last: Run | None = None
    chosen: dict[str, list[str]] = field(default_factory=dict)
    cookie: str | None = None  # sent on every connection and request, e.g. the proxy's "st_route=..."
    session_id: str = ""  # the server's id of the session (from its new_session message)

    @property
    def url(self) -> str:
        return self.base_url + self.link

    async def _run(self, message: BackMsg) -> Run:
        run = Run()
        await self.websocket.send(message.SerializeToString())
        async with asyncio.timeout(self.idle_timeout):
            while not run.finished:
                payload = await self.websocket.recv()
                if isinstance(payload, bytes):
                    read_message(payload, run, self)
        return run

    def _rerun_message(self, widgets: list[WidgetState]) -> BackMsg:
        path, _, query = self.link.partition("?")
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = path.strip("/")
        message.rerun_script.widget_states.widgets.extend(widgets)
        return message

    def _check(self, kind: str, run: Run) -> bool:
        for error in run.errors:
            self.fail(kind, error)
        return not run.errors

    async def open(self, link: str) -> None:
        """A new session on ``link`` (as a page load does): connect, run the page, time it."""
        await self.close()
        self.link, self.chosen = link, {}
        started = time.monotonic()
        ws_url = "ws" + self.base_url.removeprefix("http") + "/_stcore/stream"
        self.websocket = await connect(
            ws_url,
            subprotocols=[Subprotocol("streamlit")],
            origin=Origin(self.base_url),
            max_size=None,
            open_timeout=self.idle_timeout,
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
        )
        self.last = await self._run(self._rerun_message([]))
        if self._check("load", self.last):
            self.timings.append(Timing("ws", "load", link, time.monotonic() - started, None))

    async def rerun(self) -> Run:
        """Run the page again with nothing changed (as a browser does when it reconnects); errors are failures."""
        self.last = await self._run(self._rerun_message([]))
        self._check("rerun", self.last)
        return self.last

    async def change_filter(self) -> None:
        """Add one option to a random sidebar multiselect and rerun, as a click would."""
        label = self.rng.choice(FILTERS)
        if self.last is None or label not in self.last.multiselects:
            return
        widget_id, options = self.last.multiselects[label]
        query = urllib.parse.parse_qs(self.link.partition("?")[2])
        chosen = self.chosen.get(label, query.get(label.lower().replace(" ", "_"), []))
        left = [o for o in options if o not in chosen]
        if not left:
            return
        chosen = [*chosen, self.rng.choice(left)]
        self.chosen[label] = chosen
        state = WidgetState(id=widget_id)
        state.string_array_value.data.extend(chosen)
        started = time.monotonic()
        run = await self._run(self._rerun_message([state]))
        elapsed = time.monotonic() - started
        self.last = run
        if self._check("rerun", run):
            self.timings.append(Timing("ws", "rerun", self.url, elapsed, elapsed))

    async def fetch_download(self, label: str | None = None) -> Download:
        """The file of the last run's download button ``label`` (default: a random one), as a click gets it:
        for a file built on click, ask the server to build it (a backend operation on the websocket), then
        GET the URL it answers with, with this session's cookie."""
        buttons = [b for b in (self.last.downloads if self.last else []) if label is None or b[0] == label]
        if not buttons:
            raise LookupError(f"no download button {label!r} on {self.link}")
        name, deferred_id, url = self.rng.choice(buttons) if label is None else buttons[0]
        if deferred_id:
            request = BackMsg()
            request.backend_operation_request.request_id = str(uuid.uuid4())
            request.backend_operation_request.session_id = self.session_id
            request.backend_operation_request.deferred_file.CopyFrom(DeferredFileRequestPayload(file_id=deferred_id))
            await self.websocket.send(request.SerializeToString())
            async with asyncio.timeout(self.idle_timeout):
                while True:
                    payload = await self.websocket.recv()
                    if not isinstance(payload, bytes):
                        continue
                    message = read_message(payload, Run(), self)
                    response = message.backend_operation_response
                    if (
                        message.WhichOneof("type") == "backend_operation_response"
                        and response.request_id == request.backend_operation_request.request_id
                    ):
                        break
            if response.error_msg:
                raise RuntimeError(f"download {name!r}: the server said {response.error_msg!r}")
            url = response.deferred_file.url
        target = url if url.startswith("http") else self.base_url + url

        def get() -> Download:
            headers = {"Cookie": self.cookie} if self.cookie else {}
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(target, headers=headers), timeout=self.idle_timeout
                ) as response:
                    return Download(name, url, response.status, response.read())
            except urllib.error.HTTPError as error:
                return Download(name, url, error.code, b"")

        return await asyncio.to_thread(get)

    async def download(self) -> None:
        """Download a random one of the last run's files (if it offered any); time it, check it is a file."""
        if self.last is None or not self.last.downloads:
            return
        started = time.monotonic()
        got = await self.fetch_download()
        elapsed = time.monotonic() - started
        if got.status != 200 or not got.body.strip():
            self.fail("download", f"{got.label}: HTTP {got.status}, {len(got.body)} bytes from {got.url}")
        else:
            self.timings.append(Timing("ws", "download", self.url, elapsed, elapsed))

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()
            self.websocket = None
