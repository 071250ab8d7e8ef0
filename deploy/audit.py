"""``make audit``: the pinned dependencies checked for known vulnerabilities, saying plainly what could
not be checked.

``python -m deploy.audit [--pip-audit PATH] [--environment .venv] [--service pypi|osv]``

1. Python: pip-audit (the PyPA's tool, pinned in the Makefile and installed by ``make audit`` into a
   virtualenv of its own, ``.venv/audit-tool``, so that its own dependencies are neither mixed with
   the app's nor audited as if they were) reads the packages installed in ``--environment``: the
   project's virtualenv, installed from requirements.txt and requirements-dev.txt, every transitive
   dependency included, at the versions the tests ran with. It asks its vulnerability service about
   each (``pypi``: PyPI's JSON API, release by release; ``osv``: api.osv.dev).
2. JavaScript: ``npm audit`` on package-lock.json (axe-core, a test tool that never reaches a
   server or a browser in service), against the npm registry's advisory service.

pip-audit reports a package it could not look up as "skipped" and still says "No known
vulnerabilities found" and exits 0, even when it could look up none of them. This module reads its
JSON instead and treats any package not checked as a failure to check.

Exit status: 0 every package checked and none has a known vulnerability; 1 a known vulnerability
(each listed, with the versions that fix it); 2 something could not be checked (the tool is
missing, or its data could not be reached): the message says which, and that nothing is known
about what was not checked. Not part of ``make test``: it needs the services above.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / ".venv" / "audit-tool" / "bin" / "pip-audit"
OK, VULNERABLE, UNCHECKED = 0, 1, 2
TIMEOUT_S = 600


@dataclass
class Result:
    """What one check found: packages checked, known vulnerabilities, and what could not be checked."""

    name: str
    checked: int = 0
    vulnerabilities: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # why, one line each

    @property
    def status(self) -> int:
        if self.vulnerabilities:
            return VULNERABLE
        return UNCHECKED if self.unchecked else OK


def _site_packages(environment: Path) -> Path:
    python = environment / "bin" / "python"
    if not python.exists():
        raise FileNotFoundError(f"no virtualenv at {environment}: run `make` (or make test) first")
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return Path(found.stdout.strip())


def read_pip_audit(report: dict) -> Result:
    """pip-audit's JSON report (``-f json``) as a Result."""
    result = Result("Python packages (pip-audit)")
    for dependency in report.get("dependencies", []):
        name = f"{dependency.get('name')} {dependency.get('version', '')}".strip()
        if dependency.get("skip_reason"):
            result.unchecked.append(f"{name}: {dependency['skip_reason']}")
            continue
        result.checked += 1
        for vulnerability in dependency.get("vulns", []):
            fixes = ", ".join(vulnerability.get("fix_versions") or []) or "no fixed version yet"
            aliases = ", ".join(vulnerability.get("aliases") or [])
            result.vulnerabilities.append(
                f"{name}: {vulnerability.get('id')}{f' ({aliases})' if aliases else ''}; fixed in {fixes}"
            )
    return result


def pip_audit(tool: Path, environment: Path, service: str) -> Result:
    result = Result("Python packages (pip-audit)")
    if not tool.exists():
        result.unchecked.append(f"pip-audit is not installed at {tool}: run `make audit`, which installs it")
        return result
    try:
        site = _site_packages(environment)
    except (FileNotFoundError, subprocess.SubprocessError) as error:
        result.unchecked.append(str(error))
        return result
    with tempfile.TemporaryDirectory(prefix="audit-") as folder:
        output = Path(folder) / "report.json"
        command = [
            str(tool),
            "--path",
            str(site),
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--output",
            str(output),
            "--progress-spinner",
            "off",
            "--timeout",
            "30",
        ]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            result.unchecked.append(f"pip-audit did not finish in {TIMEOUT_S} s (its service did not answer)")
            return result
        if not output.exists() or not output.read_text().strip():
            # It stops with a traceback when its service cannot be reached at all (api.osv.dev here).
            last = next((line for line in reversed(run.stderr.splitlines()) if line.strip()), "no message")
            result.unchecked.append(f"pip-audit could not reach its vulnerability data ({service}): {last[:300]}")
            return result
        return read_pip_audit(json.loads(output.read_text()))


def npm_audit(root: Path = ROOT) -> Result:
    result = Result("npm packages (npm audit, package-lock.json)")
    if not (root / "package-lock.json").exists():
        return result
    npm = shutil.which("npm")
    if npm is None:
        result.unchecked.append("npm is not installed: package-lock.json (axe-core, a test tool) was not checked")
        return result
    try:
        run = subprocess.run(
            [npm, "audit", "--package-lock-only", "--json"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        report = json.loads(run.stdout or "{}")
    except (subprocess.TimeoutExpired, json.JSONDecodeError) as error:
        result.unchecked.append(f"npm audit gave no report: {error}")
        return result
    if "metadata" not in report:  # an error report: the advisory service did not answer
        why = report.get("message") or (run.stderr.strip().splitlines() or ["no message"])[-1]
        result.unchecked.append(f"npm audit could not reach the registry's advisory service: {why}")
        return result
    result.checked = report["metadata"].get("dependencies", {}).get("total", 0)
    for name, finding in report.get("vulnerabilities", {}).items():
        result.vulnerabilities.append(f"{name}: {finding.get('severity')} ({finding.get('range', '')})")
    return result


def report(results: list[Result]) -> int:
    for result in results:
        print(f"{result.name}: {result.checked} checked", end="")
        print(f", {len(result.vulnerabilities)} known vulnerabilities" if result.vulnerabilities else "", end="")
        print(f", {len(result.unchecked)} NOT CHECKED" if result.unchecked else "")
        for line in result.vulnerabilities:
            print(f"  VULNERABLE  {line}")
        for line in result.unchecked[:5]:
            print(f"  not checked {line}")
        if len(result.unchecked) > 5:
            print(f"  ... and {len(result.unchecked) - 5} more not checked for the same kind of reason")
    status = max((result.status for result in results), default=OK)
    if status == VULNERABLE:
        print("Known vulnerabilities: update the pins above (requirements*.txt, package.json) and run make test.")
    elif status == UNCHECKED:
        print(
            "Could not check everything: the audit's data could not be reached from here, or its tool is missing. "
            "Nothing is known about what was not checked; run `make audit` where PyPI's JSON API (or api.osv.dev, "
            "--service osv) and the npm registry's advisories can be reached."
        )
    else:
        print("No known vulnerabilities in the pinned dependencies.")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--pip-audit", type=Path, default=TOOL, help="the pip-audit program (default %(default)s)")
    parser.add_argument(
        "--environment", type=Path, default=ROOT / ".venv", help="the virtualenv to audit (default %(default)s)"
    )
    parser.add_argument(
        "--service",
        choices=("pypi", "osv"),
        default="pypi",
        help="pip-audit's vulnerability data (default %(default)s)",
    )
    parser.add_argument("--no-npm", action="store_true", help="leave package-lock.json out")
    args = parser.parse_args(argv)
    results = [pip_audit(args.pip_audit, args.environment, args.service)]
    if not args.no_npm:
        results.append(npm_audit())
    return report(results)


if __name__ == "__main__":
    sys.exit(main())
