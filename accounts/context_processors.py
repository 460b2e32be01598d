from typing import Any

from django.http import HttpRequest

from accounts import roles


def roles_context(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    current = roles.user_roles(user)
    return {
        "user_roles": current,
        "is_officer": roles.is_officer(user),
        "is_reviewer": roles.REVIEWER in current,
        "is_administrator": roles.ADMINISTRATOR in current,
        "is_auditor": roles.AUDITOR in current,
    }

