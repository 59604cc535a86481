"""What the browser tests need first: Debian's Chromium (never missing under CI) and Playwright."""

import os

import pytest

from bench.chromium import CHROMIUM


def require_chromium():
    """Return playwright.sync_api, or skip the calling test module where there is no Chromium (an error in CI)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            raise RuntimeError("CI needs Debian's chromium for the browser tests: run `make browser`")
        pytest.skip("no /usr/bin/chromium on this machine", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")
