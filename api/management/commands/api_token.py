from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import User
from accounts.selectors import operator_user
from api.models import ApiToken
from api.permissions import may_issue_tokens
from api.services import api_token_create, api_token_revoke
from common.commands import refusals_as_command_errors


class Command(BaseCommand):
    help = ("API tokens of provincial systems: create (the token is printed once), list, "
            "revoke.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="a new token for one region")
        create.add_argument("--name", required=True, help="the system's name, e.g. gd-stats")
        create.add_argument("--region", required=True, help="the region's GB/T 2260 code")
        create.add_argument("--days", type=int, help="days until it expires "
                                                     "(default: API_TOKEN_DAYS, 180)")
        actions.add_parser("list", help="every token, without its secret")
        revoke = actions.add_parser("revoke", help="refuse a token from now on")
        revoke.add_argument("name")
        for sub in (create, revoke):
            sub.add_argument("--user", help="record the action as this security "
                                            "administrator (default: operator)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
            return
        actor = self._actor(options.get("user"))
        with refusals_as_command_errors():
            if options["action"] == "create":
                issued = api_token_create(name=options["name"], region_code=options["region"],
                                          days=options["days"], actor=actor)
                self.stderr.write(f"token {issued.token.name} for region "
                                  f"{issued.token.region.code}, expires "
                                  f"{_when(issued.token.expires_at)}; it is shown only once:")
                self.stdout.write(issued.secret)  # alone on its line, for a script to take
            else:
                token = api_token_revoke(name=options["name"], actor=actor)
                self.stdout.write(f"token {token.name} revoked")

    def _actor(self, username: str | None) -> Any:
        """The command line acts as its operator account; ``--user`` names a person, who
        must be a security administrator (the role that manages accounts and tokens)."""
        try:
            actor = operator_user(username)
        except User.DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        if username and not may_issue_tokens(actor):
            raise CommandError(f"{username} is not a security administrator")
        return actor

    def _list(self) -> None:
        now = timezone.now()
        for token in ApiToken.objects.select_related("region").order_by("name"):
            state = ("revoked" if token.revoked_at else
                     "expired" if token.expires_at <= now else "active")
            self.stdout.write("\t".join([
                token.name, token.region.code, state, f"created {_when(token.created_at)}",
                f"expires {_when(token.expires_at)}",
                f"last used {_when(token.last_used_at) if token.last_used_at else 'never'}",
            ]))


def _when(moment: Any) -> str:
    return str(timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"))
