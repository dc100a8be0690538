"""The permission walks' worlds (users of every role, LAC activities with a ledger, partners,
knowledge records, an API token per role), shared as fixtures with the security tests."""

from tests.activities.test_permissions import shared_world, world  # noqa: F401 (fixtures)
from tests.api.test_permissions import (  # noqa: F401 (fixtures)
    api_world,
    shared_counterparts,
    shared_results,
    shared_tokens,
    shared_users,
)
