"""Roles belong to people/; this name stays for the code that imports it from here."""

from people.roles import (  # noqa: F401
    ADMIN,
    CONTRIBUTOR,
    REVIEWER,
    ROLES,
    has_role,
    is_admin,
    is_contributor,
    is_reviewer,
    role_required,
)
