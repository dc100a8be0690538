"""The Celery application; tasks live in each app's tasks.py and are discovered from there."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssc_portal.settings")

app = Celery("ssc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
