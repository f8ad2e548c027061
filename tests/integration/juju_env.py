"""Is there a Juju controller to deploy on? Used by the integration tests to skip cleanly."""

from __future__ import annotations

import json
import shutil
import subprocess


def controller_unavailable_reason() -> str | None:
    """None when `juju` is installed and a current controller answers; otherwise why not."""
    juju = shutil.which("juju")
    if juju is None:
        return "no `juju` binary on PATH, so no Juju controller is reachable"
    try:
        result = subprocess.run(
            [juju, "show-controller", "--format", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "`juju show-controller` timed out: the controller is not reachable"
    if result.returncode != 0:
        return f"no current Juju controller: {result.stderr.strip() or result.stdout.strip()}"
    try:
        json.loads(result.stdout)
    except json.JSONDecodeError:
        return "`juju show-controller` did not answer with JSON"
    return None
