"""A real S3-compatible server for the storage tests: moto's server mode on a free loopback port,
one per test process, and a fresh bucket for each test. The portal reaches it exactly as it
would reach MinIO or AWS: through the settings' AWS_* variables and django-storages."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.test import override_settings
from moto.server import ThreadedMotoServer

from ssc_portal.settings import file_storage

# moto accepts any credentials; these only keep boto3 from looking for the developer's own.
ACCESS_KEY = "portal-test-key"
SECRET_KEY = "portal-test-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class Bucket:
    endpoint: str
    name: str

    def environ(self) -> dict[str, str]:
        """The variables a portal process is given to keep its files in this bucket."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def keys(self) -> set[str]:
        """Every object in the bucket, read with boto3 directly rather than through the portal."""
        listing = s3_client(self.endpoint).list_objects_v2(Bucket=self.name)
        return {item["Key"] for item in listing.get("Contents", [])}


def s3_client(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> Bucket:
    bucket = Bucket(endpoint=s3_endpoint, name=f"ssc-test-{uuid.uuid4().hex[:12]}")
    s3_client(s3_endpoint).create_bucket(Bucket=bucket.name)
    return bucket


@pytest.fixture
def s3_storage(s3_bucket: Bucket, monkeypatch: pytest.MonkeyPatch) -> Iterator[Storage]:
    """The default storage as settings.py builds it from the environment, on the test bucket."""
    for name, value in s3_bucket.environ().items():
        monkeypatch.setenv(name, value)
    storage = file_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    with override_settings(STORAGES={**settings.STORAGES, "default": storage}):
        yield default_storage
