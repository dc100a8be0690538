"""Where files are kept is read from the environment: this machine's disk unless a bucket is
named, S3-compatible storage when it is, and a half-given set stops the start-up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from ssc_portal.settings import file_storage

VARIABLES = (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment with none of the storage variables, whatever the developer's shell has."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_a_bucket_files_stay_on_this_machines_disk(environ: pytest.MonkeyPatch) -> None:
    assert file_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_with_an_s3_compatible_server_keeps_files_private_and_apart(
    environ: pytest.MonkeyPatch,
) -> None:
    environ.setenv("AWS_STORAGE_BUCKET_NAME", "ssc-files")
    environ.setenv("AWS_S3_ENDPOINT_URL", "http://minio:9000")
    environ.setenv("AWS_ACCESS_KEY_ID", "portal")
    environ.setenv("AWS_SECRET_ACCESS_KEY", "a-long-secret")
    storage = file_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert isinstance(options, dict)
    assert options["bucket_name"] == "ssc-files"
    assert options["endpoint_url"] == "http://minio:9000"
    assert (options["access_key"], options["secret_key"]) == ("portal", "a-long-secret")
    # A plain host name cannot carry the bucket as a subdomain.
    assert options["addressing_style"] == "path"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_on_aws_the_credentials_may_come_from_the_machine(environ: pytest.MonkeyPatch) -> None:
    environ.setenv("AWS_STORAGE_BUCKET_NAME", "ssc-files")
    environ.setenv("AWS_S3_REGION_NAME", "eu-west-1")
    options = file_storage()["OPTIONS"]
    assert isinstance(options, dict)
    assert (options["endpoint_url"], options["region_name"]) == (None, "eu-west-1")
    assert (options["access_key"], options["secret_key"]) == (None, None)
    assert options["addressing_style"] == "auto"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"AWS_S3_ENDPOINT_URL": "http://minio:9000"}, "AWS_S3_ENDPOINT_URL set without"),
        ({"AWS_S3_REGION_NAME": "eu-west-1"}, "AWS_S3_REGION_NAME set without"),
        (
            {"AWS_STORAGE_BUCKET_NAME": "ssc-files", "AWS_ACCESS_KEY_ID": "portal"},
            "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ),
        (
            {"AWS_STORAGE_BUCKET_NAME": "ssc-files", "AWS_SECRET_ACCESS_KEY": "a-long-secret"},
            "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        ),
        (
            {"AWS_STORAGE_BUCKET_NAME": "ssc-files", "AWS_S3_ENDPOINT_URL": "minio:9000"},
            "must start with http:// or https://",
        ),
        (
            {"AWS_STORAGE_BUCKET_NAME": "ssc-files", "AWS_S3_ADDRESSING_STYLE": "subdomain"},
            "must be auto, path or virtual",
        ),
    ],
)
def test_a_half_given_or_bad_set_stops_the_start_up(
    environ: pytest.MonkeyPatch, given: dict[str, str], message: str
) -> None:
    for name, value in given.items():
        environ.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        file_storage()
