"""Run charmcraft, with only its build-base host check told that this host is Ubuntu 24.04.

charmcraft's `pack --destructive-mode` builds on the host itself instead of in an LXD container,
but first refuses any host whose distribution is not the charm's build base
(craft_application.services.lifecycle: "Ubuntu 24.04 builds cannot be performed on this Debian 12
system"). This project's CI runs on Debian 12 without LXD. This wrapper replaces the `distro`
module seen by that one check with one that answers "ubuntu", "24.04"; everything else —
charmcraft's lifecycle, craft-parts' charm plugin and its build-package handling through apt, the
charm builder, the packing — is charmcraft's own code, run unchanged.

What still differs from a real Ubuntu 24.04 build is said in docs/how-to/pack.md.

    .venv-charmcraft/bin/python scripts/charmcraft_host_as_ubuntu.py pack --destructive-mode
"""

from __future__ import annotations

import sys

BUILD_BASE = ("ubuntu", "24.04")


class _BuildBaseHost:
    """What `distro.LinuxDistribution()` answers for the build-base check only."""

    def __init__(self, *_args, **_kwargs):
        pass

    def id(self) -> str:
        return BUILD_BASE[0]

    def version(self, *_args, **_kwargs) -> str:
        return BUILD_BASE[1]


class _DistroForHostCheck:
    LinuxDistribution = _BuildBaseHost


def main() -> int:
    from craft_application.services import lifecycle

    if not hasattr(lifecycle, "distro") or not hasattr(lifecycle.LifecycleService, "_validate_build_plan"):
        raise SystemExit(
            "charmcraft's build-base check is no longer where this wrapper expects it "
            "(craft_application.services.lifecycle.distro); update scripts/charmcraft_host_as_ubuntu.py"
        )
    lifecycle.distro = _DistroForHostCheck

    from charmcraft.application.main import main as charmcraft_main

    return charmcraft_main()


if __name__ == "__main__":
    sys.exit(main())
