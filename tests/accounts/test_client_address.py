"""The caller's address, as the sign-in lockout, the API throttle and the security log read it:
the connection's, unless the connection comes from a trusted proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from accounts.security import client_address

PROXY = "172.18.0.2"


def _address(remote: str, forwarded: str | None = None) -> str:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert _address("198.51.100.7", "10.0.0.1") == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["172.18.0.0/16"])
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Straight from the client: the header is its own words.
        ("198.51.100.7", "10.0.0.1", "198.51.100.7"),
        # Through our proxy: the entry it appended, not what the client wrote before it.
        (PROXY, "10.0.0.1, 198.51.100.7", "198.51.100.7"),
        # Through two of our proxies: the right-most entry that is not one of them.
        (PROXY, "10.0.0.1, 198.51.100.7, 172.18.0.9", "198.51.100.7"),
        ("2001:db8::1", "198.51.100.7", "2001:db8::1"),
        # Our proxy without the header, or a header that is no address: the proxy's own.
        (PROXY, None, PROXY),
        (PROXY, "not-an-address", PROXY),
        (PROXY, "172.18.0.3", PROXY),
    ],
)
def test_behind_a_trusted_proxy_the_address_it_saw_is_used(
    remote: str, forwarded: str | None, expected: str
) -> None:
    assert _address(remote, forwarded) == expected


@override_settings(TRUSTED_PROXIES=["2001:db8::/32", "192.0.2.1"])
def test_single_addresses_and_ipv6_networks_are_trusted() -> None:
    assert _address("2001:db8::5", "198.51.100.7") == "198.51.100.7"
    assert _address("192.0.2.1", "198.51.100.8") == "198.51.100.8"
    assert _address("192.0.2.2", "198.51.100.8") == "192.0.2.2"


def test_a_bad_trusted_proxies_value_stops_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from ssc_portal.settings import env_networks

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 10.0.0.300")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        env_networks("TRUSTED_PROXIES")
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12")
    assert env_networks("TRUSTED_PROXIES") == ["10.0.0.1", "172.16.0.0/12"]
