"""Headless Chromium, for the tests that look at a page as a reader sees it (bin/test installs it)."""
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Skipped only where Chromium cannot be had at all: where apt-get could install it, its absence fails.
needs_chromium = pytest.mark.skipif(CHROMIUM is None and shutil.which("apt-get") is None,
                                    reason="no Chromium, and no apt-get for bin/test to install it with")


def dump_dom(page_path, profile, timeout=60):
    """The DOM of the page at `page_path` once headless Chromium has loaded it (its scripts run),
    with a browser profile of its own in the folder `profile`."""
    assert CHROMIUM, "Chromium is missing: bin/test installs it (apt-get install chromium)"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--dump-dom", page_path.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True).stdout
