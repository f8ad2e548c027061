"""The charm's config options, parsed into a typed model."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

PROJECT_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
AUTO, DIRECT, REMOTE = "auto", "direct", "remote"
NOTEBOOK_MODES = (AUTO, DIRECT, REMOTE)


class InvalidConfigError(Exception):
    """A config option has a value the charm cannot use; `str()` is user-facing."""


@dataclass(frozen=True)
class IntegratorConfig:
    """Validated config options."""

    project: str
    registry_cache_ttl_seconds: int
    notebook_configuration: str = AUTO


def parse_config(options: Mapping[str, object]) -> IntegratorConfig:
    """Validate the raw config options; raise InvalidConfigError naming the bad option."""
    project = str(options.get("project", "")).strip()
    if not PROJECT_NAME_PATTERN.match(project):
        raise InvalidConfigError(f"config 'project' must be letters, digits and underscores, got {project!r}")
    cache_ttl = options.get("registry-cache-ttl", 60)
    if not isinstance(cache_ttl, int) or isinstance(cache_ttl, bool) or cache_ttl < 0:
        raise InvalidConfigError(
            f"config 'registry-cache-ttl' must be a non-negative integer, got {cache_ttl!r}"
        )
    mode = str(options.get("notebook-configuration", AUTO)).strip()
    if mode not in NOTEBOOK_MODES:
        raise InvalidConfigError(
            f"config 'notebook-configuration' must be one of {', '.join(NOTEBOOK_MODES)}, got {mode!r}"
        )
    return IntegratorConfig(project=project, registry_cache_ttl_seconds=cache_ttl, notebook_configuration=mode)
