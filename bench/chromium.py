"""Debian's Chromium driven by Playwright, which cannot download a browser of its own here."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def launch(playwright, *extra_args: str):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS + list(extra_args))


def watch_errors(page):
    """Collect the page's console errors and uncaught exceptions in page.console_errors; return the page."""
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    return page
