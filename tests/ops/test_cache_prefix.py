"""Two portals on one Redis keep their own throttle counters and dashboard figures: every cache
key in Redis starts with the portal's CACHE_KEY_PREFIX (by default its database's name)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_PREFIXES = (
    "import json; from ssc_portal import settings; "
    "print(json.dumps([settings.CACHES[n]['KEY_PREFIX'] for n in ('api', 'dashboard')]))"
)


def _prefixes(**environment: str) -> list[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CACHE_KEY_PREFIX", "CELERY_TASK_ALWAYS_EAGER")
    }
    env.update({"DEBUG": "1", "SECRET_KEY": "x", **environment})
    result = subprocess.run(
        [sys.executable, "-c", READ_PREFIXES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(result.stdout))


def test_portals_with_their_own_databases_get_their_own_prefixes() -> None:
    first = _prefixes(DATABASE_URL="postgres://u@db:5432/ssc_lac")
    second = _prefixes(DATABASE_URL="postgres://u@db:5432/ssc_staging")
    assert first == ["ssc-ssc_lac:api", "ssc-ssc_lac:dashboard"]
    assert second == ["ssc-ssc_staging:api", "ssc-ssc_staging:dashboard"]


def test_the_prefix_can_be_set_from_the_environment() -> None:
    prefixes = _prefixes(DATABASE_URL="postgres://u@db:5432/ssc", CACHE_KEY_PREFIX="portal-b")
    assert prefixes == ["portal-b:api", "portal-b:dashboard"]
