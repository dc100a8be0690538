"""Gunicorn settings for the web container (docker-compose.yml), sized for a 2-core host.

Three worker processes of two threads each: the pages wait on PostgreSQL more than they use the
CPU, so threads add concurrency cheaply, while a third process keeps one slow request from
holding a whole core's queue. Override with GUNICORN_WORKERS / GUNICORN_THREADS.
"""

import os

bind = "0.0.0.0:8000"
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"

# A request that takes longer than this is stuck (the imports run in Celery, not in requests).
timeout = 30
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so that a slow leak never grows without bound.
max_requests = 1000
max_requests_jitter = 100

# Heartbeat files in memory: a container's overlay filesystem can stall them.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn heartbeat files, not data

# Logs to stdout/stderr, where docker collects them; the access log gives the time taken (µs).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
