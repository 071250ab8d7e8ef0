"""Every page under the proxy's Content-Security-Policy, in Chromium: through nginx with
deploy/nginx.conf.template (as ``make serve`` and compose serve it) in front of the browser tests'
Streamlit server.

One browser context walks the Overview and every page in pages/, as a person clicking through would,
then changes a filter and downloads a PDF. It fails on

- any CSP violation, reported either way Chromium reports one: a ``securitypolicyviolation`` event in
  the page, or a console message naming the Content Security Policy;
- a console message about the Permissions-Policy header (an unknown feature named in it);
- a page whose document lacks one of the security headers, or has one twice;
- a chart not drawn (Vega under a CSP without 'unsafe-eval' could fail quietly);
- any answer 429 Too Many Requests: the rate limits must never meet a person using the app;
- any request the browser makes to a host other than the app's, whether or not the policy blocks
  it (issue 27: the app works with no internet). The tab's icon is the app's own image
  (``dashboard/static/favicon.png``, served by the app); a ``page_icon=":material/...:"`` would point
  it at Google's font server (fonts.gstatic.com). The icons in notices and buttons come from the
  font bundled with Streamlit's frontend, served by the app.

Nothing is tolerated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from deploy.serve import NGINX, NGINX_MISSING
from load.server import Server
from tests.proxy import Proxy, header_problems

from .helpers import INIT_SCRIPT, ROOT, discover_pages, pick_option, track_page, wait_idle

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason=NGINX_MISSING)

PAGES = discover_pages(ROOT)

# Installed before any page script: keeps every CSP violation the page reports.
RECORD_VIOLATIONS = """
(() => {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push({
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
  }));
})();
"""

CHARTS_UNDRAWN = """
() => [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stVegaLiteChart"]')]
  .filter(chart => chart.checkVisibility())
  .filter(chart => {
    const drawing = chart.querySelector('svg, canvas');
    const box = drawing && drawing.getBoundingClientRect();
    return !(box && box.width > 0 && box.height > 0 && chart.querySelectorAll('.role-mark').length > 0);
  }).length
"""


@pytest.fixture(scope="module")
def proxy(app_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    started = Proxy.start(tmp_path_factory.mktemp("csp"), app_server.url.removeprefix("http://"))
    yield started
    started.stop()


def test_every_page_works_under_the_csp_without_violations(browser, proxy: Proxy, tmp_path: Path) -> None:
    context = browser.new_context(base_url=proxy.url, viewport={"width": 1366, "height": 900}, accept_downloads=True)
    context.set_default_timeout(30_000)
    context.add_init_script(INIT_SCRIPT)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    track_page(page, proxy.url)
    console: list[str] = []
    statuses: Counter = Counter()
    limited: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("response", lambda response: statuses.update([response.status]))
    page.on("response", lambda response: limited.append(response.url) if response.status == 429 else None)
    app_host = urlsplit(proxy.url).netloc
    outside: list[str] = []  # every request to another host, from any page, of any kind
    context.on("request", lambda request: outside.append(request.url) if _outside(request.url, app_host) else None)
    problems: dict[str, list] = {}
    try:
        for app_page in PAGES:
            console.clear()
            document = page.goto(app_page.path, wait_until="domcontentloaded")
            headers: dict[str, list[str]] = {}
            for header in document.headers_array():
                headers.setdefault(header["name"].lower(), []).append(header["value"])
            wait_idle(page)
            page_problems = list(page.evaluate("window.__cspViolations"))
            page_problems += [
                line for line in console if "Content Security Policy" in line or "Permissions-Policy" in line
            ]
            page_problems += header_problems(headers, tls=False)
            if page.evaluate(CHARTS_UNDRAWN):
                page_problems.append(f"{page.evaluate(CHARTS_UNDRAWN)} chart(s) not drawn")
            if page_problems:
                problems[app_page.name] = page_problems

        # A rerun and a download under the policy, on a theme page.
        page.goto("/Digital_skills", wait_until="domcontentloaded")
        wait_idle(page)
        pick_option(page, "Care group")
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Download this view as PDF").click()
        saved = tmp_path / "view.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF"), "the PDF did not download under the policy"
        late = page.evaluate("window.__cspViolations")
        if late:
            problems["Digital_skills after a filter change and a download"] = late
    finally:
        context.close()

    assert not problems, f"Under the proxy's Content-Security-Policy: {problems}"
    assert not limited, f"Normal use was rate limited (429): {limited[:10]}"
    assert not outside, f"The browser asked another host than the app's ({app_host}): {sorted(set(outside))[:10]}"
    print(f"\nresponses through nginx by status: {dict(statuses)}")


def _outside(url: str, app_host: str) -> bool:
    """A request that leaves the app's host (data: and blob: URLs stay in the page)."""
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob") and parts.netloc != app_host
