"""What /healthz reports besides the database: Redis and the Celery workers.

Every check is bounded in time (well under the load balancer's own timeout) and never raises:
a health endpoint that hangs or fails when Redis is down would take the web node out with it.
"""

from __future__ import annotations

import redis
from django.db import connection

from ssc_portal.celery import app

# Short on purpose: Redis answers a ping in a millisecond on the same network; after half a
# second it is as good as down for the requests that need it.
REDIS_TIMEOUT = 0.5
# A prefork worker (as docker-compose runs it) busy with a long task still answers control
# messages from its main process.
WORKER_TIMEOUT = 1.0


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return "error"
    return "ok"


def redis_status() -> str:
    """The broker's Redis: "ok" when it answers a PING within REDIS_TIMEOUT, else "error"."""
    client = redis.Redis.from_url(
        app.conf.broker_url,
        socket_connect_timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
    )
    try:
        return "ok" if client.ping() else "error"
    except (redis.RedisError, OSError):
        return "error"
    finally:
        client.close()


def worker_status(redis_state: str) -> str:
    """The Celery workers: "ok" when one answers a control ping within WORKER_TIMEOUT, "error"
    when none does, "eager" when tasks run inline (no worker to ask), "unknown" when Redis,
    through which the question goes, is down."""
    if app.conf.task_always_eager:
        return "eager"
    if redis_state != "ok":
        return "unknown"
    try:
        with app.connection_for_write(connect_timeout=REDIS_TIMEOUT) as conn:
            # limit=1: return at the first answer instead of waiting out the timeout.
            replies = app.control.ping(timeout=WORKER_TIMEOUT, limit=1, connection=conn)
    except Exception:
        return "unknown"
    return "ok" if replies else "error"
