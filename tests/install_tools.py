"""Install what the tests need beyond `pip install -e '.[test]'`, only when it is missing.

Part of the README's single test command (and so of `.ci/run`): on a fresh Debian machine
the browser tests need Debian's Chromium (Playwright drives /usr/bin/chromium; it cannot
download a browser here). Everything else comes from PyPI: ffmpeg from imageio-ffmpeg,
media probing from PyAV. Nothing is skipped for a missing tool: if this cannot install
something, it says what to run and exits non-zero.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
DEBIAN_PACKAGES = {"chromium": CHROMIUM}


def _apt(packages: list[str]) -> None:
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            raise SystemExit(
                f"install_tools: {', '.join(packages)} missing and not root; run as root: "
                f"apt-get install -y {' '.join(packages)}"
            )
        prefix = ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def main() -> int:
    missing = [name for name, path in DEBIAN_PACKAGES.items() if not path.exists()]
    if missing:
        if shutil.which("apt-get") is None:
            print(
                f"install_tools: {', '.join(missing)} missing and this is not Debian/Ubuntu; "
                "install Chromium at /usr/bin/chromium",
                file=sys.stderr,
            )
            return 1
        print(f"install_tools: installing {', '.join(missing)} from Debian…", file=sys.stderr)
        _apt(missing)
    for module in ("playwright", "av", "imageio_ffmpeg", "hypothesis", "xdist"):
        try:
            __import__(module)
        except ImportError:
            print(
                f"install_tools: Python module `{module}` is missing: pip install -e '.[test]'",
                file=sys.stderr,
            )
            return 1
    still = [name for name, path in DEBIAN_PACKAGES.items() if not path.exists()]
    if still:
        print(f"install_tools: could not install {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
