from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:
        database = "error"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database}, status=status
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "activities/home.html", {})


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    return render(request, "activities/list.html", {})
