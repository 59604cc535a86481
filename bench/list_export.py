"""The city's list of major hazards (重大问题隐患清单) as xlsx, downloaded in a process of its own: `make bench`
reads the peak RSS of this process (bench/run.py, measure_list_export).

    BENCH_PASSWORD=... python -m bench.list_export USERNAME RUNS OUTPUT

The app comes from the environment (DATABASE_URL, SECRET_KEY, UPLOAD_DIR), as under gunicorn. The user logs in
through the form and GETs /major-hazards.xlsx once to warm up, then RUNS times, each timed; the last download is
written to OUTPUT. Prints one JSON line: the seconds of each timed download and the size of the file.
"""

import json
import os
import sys
import time
from pathlib import Path

PATH = "/major-hazards.xlsx"


def main(argv: list[str] | None = None) -> int:
    username, runs, output = argv or sys.argv[1:]
    from checklist import create_app

    from .run import PageClient

    browser = PageClient(create_app(), username, os.environ["BENCH_PASSWORD"])
    browser.get(PATH)
    seconds = []
    for _ in range(int(runs)):
        began = time.perf_counter()
        data = browser.get(PATH)
        seconds.append(time.perf_counter() - began)
    Path(output).write_bytes(data)
    print(json.dumps({"seconds": seconds, "bytes": len(data)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
