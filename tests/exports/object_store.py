"""A real S3 API on a free local port (moto's server mode), with a bucket for releases.

moto keeps its buckets in process-wide state that outlives one server, hence a bucket
of its own for every test."""

import uuid
from dataclasses import dataclass

import boto3
import pytest

from tests.integration.processes import free_port

REGION = "us-east-1"


@dataclass
class ObjectStore:
    endpoint: str
    bucket: str

    @property
    def env(self) -> dict[str, str]:
        """What a process sets to keep its release files here."""
        return {
            "RELEASES_BUCKET": self.bucket,
            "RELEASES_ENDPOINT_URL": self.endpoint,
            "RELEASES_ACCESS_KEY_ID": "testing",
            "RELEASES_SECRET_ACCESS_KEY": "testing",
            "RELEASES_REGION": REGION,
        }

    @property
    def storage(self) -> dict:
        """The same, as a STORAGES entry."""
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": REGION,
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
                "signature_version": "s3v4",
                "querystring_expire": 300,
            },
        }

    def keys(self) -> list[str]:
        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name=REGION,
        )
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@pytest.fixture
def object_store():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    store = ObjectStore(endpoint=f"http://127.0.0.1:{port}", bucket=f"releases-{uuid.uuid4().hex}")
    boto3.client(
        "s3",
        endpoint_url=store.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=REGION,
    ).create_bucket(Bucket=store.bucket)
    yield store
    server.stop()
