from django.http import HttpRequest

from annotation import roles as role_checks


def roles(request: HttpRequest) -> dict:
    user = request.user
    return {
        "is_contributor": role_checks.is_contributor(user),
        "is_reviewer": role_checks.is_reviewer(user),
        "is_admin": role_checks.is_admin(user),
    }
