"""PostgreSQL connections start with the planner settings the search benchmark measured."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_connections_start_without_jit_and_with_cheap_index_reads():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
        cursor.execute("SHOW random_page_cost")
        random_page_cost = cursor.fetchone()[0]
    assert (jit, random_page_cost) == ("off", "1.1")
