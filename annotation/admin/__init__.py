"""Django's admin for the admin role: datasets and categories editable, history read-only.

Members of the "admin" group are staff with the permissions of annotation.setup. People
and their roles are administered in people/admin.py.
"""

from annotation.admin import datasets, findings, history, pairs  # noqa: F401  (they register)
from annotation.admin.base import ReadOnlyAdmin

__all__ = ["ReadOnlyAdmin"]
