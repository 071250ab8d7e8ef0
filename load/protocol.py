"""Sessions that speak Streamlit's websocket protocol directly (the load test's non-browser sessions).

No browser: each session is one websocket to ``/_stcore/stream`` sending the ``BackMsg``
protobufs the browser would send (``rerun_script`` with the page, the link's query string and
widget states) and reading the ``ForwardMsg`` replies until ``script_finished``. It measures the
server alone, without 50 Chromium renderers competing for the same two cores, and checks the same
things: no exception element and no error alert in any run.

It is a model of the browser, not the browser: it does not load the page's static files, does not
draw, and sends only the widget it changes (others keep their session values).
"""

from __future__ import annotations

import asyncio
import random
import time
import urllib.parse
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.typing import Origin, Subprotocol

from load.sessions import FILTERS, Failure, Timing
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState


@dataclass
class Run:
    """What one script run sent: its errors and the sidebar multiselects (label -> (id, options))."""

    errors: list[str] = field(default_factory=list)
    multiselects: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    finished: bool = False


def read_message(payload: bytes, run: Run) -> None:
    message = ForwardMsg()
    message.ParseFromString(payload)
    kind = message.WhichOneof("type")
    if kind == "script_finished":
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
    elif kind == "page_not_found":
        run.errors.append(f"page not found: {message.page_not_found.page_name}")


@dataclass
class ProtocolSession:
    number: int
    base_url: str
    rng: random.Random
    idle_timeout: float
    timings: list[Timing] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    websocket: object | None = None
    link: str = "/"
    last: Run | None = None
    chosen: dict[str, list[str]] = field(default_factory=dict)

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
                    read_message(payload, run)
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
            self.failures.append(Failure(self.number, kind, self.url, error))
        return not run.errors

    async def open(self, link: str) -> None:
        """A new session on ``link`` (as a page load does): connect, run the page, time it."""
        await self.close()
        self.link, self.chosen = link, {}
        started = time.monotonic()
        ws_url = "ws" + self.base_url.removeprefix("http") + "/_stcore/stream"
        self.websocket = await connect(ws_url, subprotocols=[Subprotocol("streamlit")], origin=Origin(self.base_url),
                                       max_size=None, open_timeout=self.idle_timeout)
        self.last = await self._run(self._rerun_message([]))
        if self._check("load", self.last):
            self.timings.append(Timing("ws", "load", link, time.monotonic() - started, None))

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

    async def close(self) -> None:
        if self.websocket is not None:
            await self.websocket.close()
            self.websocket = None

    async def step(self, action: str, coroutine) -> bool:
        try:
            await coroutine
            return True
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
            self.failures.append(Failure(self.number, action, self.url, f"{type(error).__name__}: {error}"[:400]))
            return False
