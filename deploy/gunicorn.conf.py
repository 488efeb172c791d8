"""gunicorn settings for a Luoshi app machine: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Environment: GUNICORN_BIND (default 127.0.0.1:8000), GUNICORN_WORKERS (default 2 × cores), and
PROMETHEUS_MULTIPROC_DIR (a directory only this gunicorn uses; emptied here at start) so /metrics sums
the request metrics of every worker (core/metrics.py).
"""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * multiprocessing.cpu_count())))
keepalive = 75  # longer than nginx's upstream keepalive_timeout (60 s): nginx closes first
timeout = 120  # a city export takes seconds; anything longer belongs in the queue
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
max_requests = 5000  # recycle workers slowly (memory held by large exports is returned)
max_requests_jitter = 500


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)  # samples of a previous run would be counted again
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
