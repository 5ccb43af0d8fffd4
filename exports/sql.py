"""What the hand-written SQL of releases shares."""

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    """The model's table, quoted for the connection's database."""
    return connection.ops.quote_name(model._meta.db_table)
