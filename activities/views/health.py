from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from activities import health


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and docker-compose: 200 while the database answers, 503 otherwise.

    Redis and the Celery workers are reported but do not change the status code: a web node
    whose worker is down still serves pages (edits are saved and their roll-up refresh waits in
    the database), so a load balancer must not take it out of service for that.
    """
    database = health.database_status()
    redis = health.redis_status()
    healthy = database == "ok"
    return JsonResponse(
        {
            "status": "ok" if healthy else "error",
            "database": database,
            "redis": redis,
            "worker": health.worker_status(redis),
        },
        status=200 if healthy else 503,
    )
