"""The city's list of major hazards (重大问题隐患清单) as xlsx, downloaded in a process of its own: `make bench`
reads the peak RSS of this process (bench/run.py, measure_list_export). The city downloads it a county at a time:
this is the county with the most.

    BENCH_PASSWORD=... python -m bench.list_export USERNAME RUNS OUTPUT

The app comes from the environment (DATABASE_URL, SECRET_KEY, UPLOAD_DIR), as under gunicorn. The user logs in
through the form and GETs /major-hazards.xlsx?county=ID once to warm up, then RUNS times, each timed; the last
download is written to OUTPUT. Prints one JSON line: the address, the seconds of each timed download and the size of
the file.
"""

import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    username, runs, output = argv or sys.argv[1:]
    from checklist import create_app
    from checklist.read.hazards import major_by_county

    from .run import PageClient

    app = create_app()
    with app.app_context(), app.extensions["read_sessionmaker"]() as session:
        county, _count = max(major_by_county(session), key=lambda pair: pair[1])
        path = f"/major-hazards.xlsx?county={county.id}"
    browser = PageClient(app, username, os.environ["BENCH_PASSWORD"])
    browser.get(path)
    seconds = []
    for _ in range(int(runs)):
        began = time.perf_counter()
        data = browser.get(path)
        seconds.append(time.perf_counter() - began)
    Path(output).write_bytes(data)
    print(json.dumps({"path": path, "seconds": seconds, "bytes": len(data)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
