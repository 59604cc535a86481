"""Gunicorn settings: `gunicorn -c gunicorn.conf.py app:app` (README, "Deployment").

Every setting can be changed by an environment variable without editing this file:

GUNICORN_BIND         where to listen, comma-separated (127.0.0.1:8000; unix:/run/checklist/gunicorn.sock)
GUNICORN_WORKERS      worker processes (2 x cores + 1, at most GUNICORN_MAX_WORKERS, default 8)
GUNICORN_THREADS      threads per worker (4)
GUNICORN_WORKER_CONNECTIONS  connections a worker holds at once (2 x threads)
GUNICORN_TIMEOUT      seconds a worker may stay silent before it is restarted (120)
GUNICORN_ACCESSLOG    access log file, "-" for standard output (the default), "" for none
GUNICORN_MAX_REQUESTS restart a worker after this many requests, with jitter (1000; 0: never)

The app keeps nothing in memory that another worker or server would need, so workers can be restarted
at any time. It is not preloaded: each worker imports the app after the fork, so no database connection
is ever opened in the master and shared by the workers.
"""

import os


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers, taskset)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]

# Processes for the CPU-bound work (photo re-encoding, PDF and xlsx exports), threads for the waits
# (database, disk). Capped: every worker holds its own copy of the app in memory.
workers = _number("GUNICORN_WORKERS", min(2 * _cores() + 1, _number("GUNICORN_MAX_WORKERS", 8)))
threads = _number("GUNICORN_THREADS", 4)
worker_class = "gthread"
# A worker holds at most twice its threads' worth of connections; the others wait in the listen queue for
# whichever worker is free. Unbounded (gunicorn's 1000), one worker can take every keep-alive connection while
# the others idle, and the pages, mostly CPU, get one core (make bench saw half the requests/s in such runs).
worker_connections = _number("GUNICORN_WORKER_CONNECTIONS", 2 * threads)

# Phones on a slow mobile connection take long to send their photos. nginx buffers each request whole
# before it passes it on (README), so here the time is mostly spent re-encoding the photos of a form.
timeout = _number("GUNICORN_TIMEOUT", 120)
graceful_timeout = 60  # on reload or stop, requests under way get this long to finish
keepalive = 5

# Bounds on what a request may carry before the app sees it (the body's limit is MAX_CONTENT_LENGTH).
limit_request_line = 8190
limit_request_fields = 100

# The workers' heartbeat files: in memory where there is a tmpfs, as a disk under load can stall them.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# The client's address as nginx saw it, and the time taken in seconds (%(L)s).
access_log_format = '%({x-forwarded-for}i)s %(h)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(a)s" %(L)s'

# A worker restarts after so many requests, so that no slow leak grows without end; the jitter keeps the
# workers from restarting all at once.
max_requests = _number("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max(max_requests // 10, 0)

preload_app = False
proc_name = "checklist"
