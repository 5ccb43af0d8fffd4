"""Personas: contributor alice (and dan), reviewers bob and rita, admin ada, outsider carol."""

import pytest
from django.test import Client

from annotation.models import Category, Dataset
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from annotation.seeding import dataset_seed_dolly
from tests.factories import make_user


@pytest.fixture
def dolly(db) -> Dataset:
    return dataset_seed_dolly()


@pytest.fixture
def open_qa(dolly) -> Category:
    return dolly.categories.get(slug="open_qa")


@pytest.fixture
def closed_qa(dolly) -> Category:
    return dolly.categories.get(slug="closed_qa")


@pytest.fixture
def alice(db):
    return make_user("alice", CONTRIBUTOR)


@pytest.fixture
def dan(db):
    return make_user("dan", CONTRIBUTOR)


@pytest.fixture
def bob(db):
    return make_user("bob", REVIEWER)


@pytest.fixture
def rita(db):
    return make_user("rita", REVIEWER)


@pytest.fixture
def ada(db):
    return make_user("ada", ADMIN, is_staff=True)


@pytest.fixture
def carol(db):
    return make_user("carol")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_alice(alice) -> Client:
    return _client_for(alice)


@pytest.fixture
def as_dan(dan) -> Client:
    return _client_for(dan)


@pytest.fixture
def as_bob(bob) -> Client:
    return _client_for(bob)


@pytest.fixture
def as_rita(rita) -> Client:
    return _client_for(rita)


@pytest.fixture
def as_ada(ada) -> Client:
    return _client_for(ada)


@pytest.fixture
def as_carol(carol) -> Client:
    return _client_for(carol)
