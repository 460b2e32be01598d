from typing import Any

from django.http import HttpRequest

from accounts import roles


def roles_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "user_roles": roles.user_roles(user),
        "is_officer": roles.is_officer(user),
        "is_reviewer": roles.is_reviewer(user),
        "is_administrator": roles.is_administrator(user),
        "is_auditor": roles.is_auditor(user),
        "is_staff_reader": roles.is_staff_reader(user),
        "is_overseer": roles.is_overseer(user),
        "is_security_administrator": roles.is_security_administrator(user),
    }
