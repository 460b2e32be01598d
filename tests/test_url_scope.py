"""Every URL of the project, for every role: a decided answer, and the scope rules.

The walk over ``django.urls.get_resolver()`` finds every URL pattern; each must have an entry
in ``EXPECTED`` (URL name → method → role → status code), decided from the product's role
table (docs: "Who uses it"), not from what the code happens to answer. A new URL without a
decided answer fails ``test_every_url_has_a_decided_answer`` and each of its cells.

The decisions follow these principles:

- an anonymous visitor on anything but the public pages (and the login page) is sent to log
  in (302 to ``accounts:login``), whatever the method;
- for a signed-in person the method comes first: a GET-only view answers POST with 405, a
  POST-only view answers GET with 405, whoever asks (so the 405 discloses nothing);
- another region's submission, version or file answers 404 (its existence is not disclosed);
  a person who may see the object but not do the thing asked gets 403; a page that is not the
  person's work at all gets 403;
- auditors read everything and change nothing: every POST of theirs is 403 (or 405), except
  the session's own endpoints (logging in and out change no data);
- the scoring runs are the administrators' work (the auditors read them); a reviewer's role is
  the review queue, so unpublished scoring results are not theirs (403), like the national
  view;
- the public rankings answer everyone alike;
- a security administrator manages accounts in the Django admin and has no page of the
  platform's work (403, or 404 for an object of a region, like a stranger);
- a staff session whose second factor is not verified (``staff_without_second_factor``: a
  reviewer who has an authenticator but has given only the password) is sent to the
  verification page (302) from everything but the second factor's pages, logging out, the
  favicon and the health probes.

An allowed POST answers 302 (back to a page, with an error message for the empty body sent
here), 200 (a form shown again with its errors) or 400 (the page of a form refused, shown
again with the error at its field: issue 16, point 5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from api.services import api_token_create
from common.heartbeat import heartbeat
from indicators.models import ModelVersion, Region
from indicators.services import model_version_derive
from public.services import announcement_create
from scoring.services import run_create, run_publish
from scoring.services_scenarios import scenario_save
from submissions.bulk import bulk_import
from submissions.models import Submission
from submissions.services.cycles import cycle_create
from submissions.services.versions import version_create_from_upload
from tests.factories import UserFactory, make_officer, verified_login
from tests.submissions.helpers import bulk_csv, bulk_rows, template_csv, valid_values

ROLES = ("anonymous", "officer_own", "officer_other", "reviewer", "administrator", "auditor",
         "security_administrator", "staff_without_second_factor")
METHODS = ("GET", "POST")
UNVERIFIED = "staff_without_second_factor"


def _r(anonymous: int, officer_own: int, officer_other: int, reviewer: int, administrator: int,
       auditor: int, *, security: int | None = None, unverified: int = 302) -> dict[str, int]:
    """One row of answers, in the order of ``ROLES``. The security administrator answers, unless
    told, as a stranger to the platform's work: like another region's officer where that is a
    refusal, 403 where the officer may go on; the staff session without its second factor is
    sent to verify it (302) unless told."""
    if security is None:
        signed_in = {officer_own, officer_other, reviewer, administrator, auditor}
        security = officer_other if officer_other != 200 or len(signed_in) == 1 else 403
    return dict(zip(ROLES, (anonymous, officer_own, officer_other, reviewer, administrator,
                            auditor, security, unverified), strict=True))


def _everyone(status: int, *, unverified: int = 302) -> dict[str, int]:
    return _r(status, status, status, status, status, status, unverified=unverified)


# Anonymous → 302 to the login page; signed in → 405 (the method is not the view's).
WRONG_METHOD = _r(302, 405, 405, 405, 405, 405)
# A submission, version or file of 北京, for reading: its officer and all national staff.
BJ_READ = _r(302, 200, 404, 200, 200, 200)
# The administrators' pages that auditors read.
ADMIN_READ = _r(302, 403, 403, 403, 200, 200)
# An administrator's action on something that belongs to no region (a cycle, a run).
ADMIN_ACTION = _r(302, 403, 403, 403, 302, 403)
# A public page.
PUBLIC_PAGE = _everyone(200)
PUBLIC_REDIRECT = _everyone(302)
PUBLIC_NO_POST = _everyone(405)

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # --- the home page: the officer to their submissions; the staff's is their workbench, what
    # needs their action now (config/dashboard.py); the public sees the rankings -------------
    "home": {"GET": _r(200, 302, 302, 200, 200, 200, security=200), "POST": PUBLIC_NO_POST},
    "favicon.ico": {"GET": _everyone(301, unverified=301),  # unnamed: its route
                    "POST": _everyone(405, unverified=405)},
    # --- the probes of load balancers: anyone, signed in or not (no secrets in them) --------
    "healthz": {"GET": _everyone(200, unverified=200), "POST": _everyone(405, unverified=405)},
    "readyz": {"GET": _everyone(200, unverified=200), "POST": _everyone(405, unverified=405)},
    # --- the session: anyone may log in and out (no data changes, so auditors too) ---------
    "accounts:login": {"GET": _everyone(200), "POST": _everyone(200)},  # empty form re-shown
    "accounts:logout": {"GET": _everyone(405, unverified=405),
                        "POST": _everyone(302, unverified=302)},
    # The second factor: enrolment for whoever has no authenticator yet (the officers here),
    # verification for whoever has one and has not yet given its code (verified staff and
    # officers without one are sent on, 302); an empty form is shown again (200).
    "accounts:otp_enrol": {"GET": _r(302, 200, 200, 302, 302, 302, security=302),
                           "POST": _r(302, 200, 200, 302, 302, 302, security=302)},
    "accounts:otp_codes_kept": {"GET": _r(302, 405, 405, 405, 405, 405, unverified=405),
                                "POST": _everyone(302)},
    "accounts:otp_verify": {"GET": _r(302, 302, 302, 302, 302, 302, security=302,
                                      unverified=200),
                            "POST": _r(302, 302, 302, 302, 302, 302, security=302,
                                       unverified=200)},
    # One's own password and sessions: every signed-in person.
    "accounts:password_change": {"GET": _r(302, 200, 200, 200, 200, 200, security=200),
                                 "POST": _r(302, 200, 200, 200, 200, 200, security=200)},
    "accounts:security": {"GET": _r(302, 200, 200, 200, 200, 200, security=200),
                          "POST": WRONG_METHOD},
    "accounts:logout_everywhere": {"GET": WRONG_METHOD, "POST": _everyone(302)},
    # One's own language: every signed-in person (a change of one's own account, no data).
    "accounts:language": {"GET": WRONG_METHOD, "POST": _everyone(302)},
    # --- the officer's pages ----------------------------------------------------------------
    # Each officer has a home of their own region (上海's shows 上海, no object of 北京).
    "submissions:officer_home": {"GET": _r(302, 200, 200, 403, 403, 403),
                                 "POST": WRONG_METHOD},
    "submissions:detail": {"GET": BJ_READ, "POST": WRONG_METHOD},
    "submissions:template": {"GET": BJ_READ, "POST": WRONG_METHOD},
    "submissions:upload": {"GET": WRONG_METHOD, "POST": _r(302, 302, 404, 403, 403, 403)},
    "submissions:edit": {"GET": _r(302, 200, 404, 403, 403, 403),
                         "POST": _r(302, 200, 404, 403, 403, 403)},
    "submissions:submit": {"GET": WRONG_METHOD, "POST": _r(302, 302, 404, 403, 403, 403)},
    "submissions:timeline": {"GET": BJ_READ, "POST": WRONG_METHOD},
    "submissions:version_status": {"GET": BJ_READ, "POST": WRONG_METHOD},
    "submissions:version_issues": {"GET": BJ_READ, "POST": WRONG_METHOD},
    "submissions:state": {"GET": BJ_READ, "POST": WRONG_METHOD},
    "submissions:file": {"GET": BJ_READ, "POST": WRONG_METHOD},
    # --- review: reviewers and administrators decide; officers and auditors do not ---------
    "submissions:review": {"GET": WRONG_METHOD, "POST": _r(302, 403, 404, 302, 302, 403)},
    # an empty comment, a reopening without its reason: refused at the field
    "submissions:comment": {"GET": WRONG_METHOD, "POST": _r(302, 400, 404, 400, 400, 403)},
    "submissions:reopen": {"GET": WRONG_METHOD, "POST": _r(302, 403, 404, 403, 400, 403)},
    "submissions:queue": {"GET": _r(302, 403, 403, 200, 200, 200), "POST": WRONG_METHOD},
    # --- cycles: national staff read them (a reviewer works within them); administrators
    # create and change them ------------------------------------------------------------------
    "submissions:cycles": {"GET": _r(302, 403, 403, 200, 200, 200),
                           "POST": _r(302, 403, 403, 403, 200, 403)},  # empty form re-shown
    "submissions:cycle_update": {"GET": WRONG_METHOD,  # neither a state nor a deadline
                                 "POST": _r(302, 403, 403, 403, 400, 403)},
    # A bulk load (or its dry run) is an administrator's; an empty form is refused at its
    # fields (400).
    "submissions:bulk_import": {"GET": _r(302, 403, 403, 403, 200, 403),
                                "POST": _r(302, 403, 403, 403, 400, 403)},
    # --- scoring: the administrators' work, read by auditors -------------------------------
    "scoring:runs": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "scoring:score": {"GET": WRONG_METHOD, "POST": ADMIN_ACTION},
    "scoring:run": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    # the confirmation page (GET; a POST without the confirmation shows it too)
    "scoring:publish": {"GET": _r(302, 403, 403, 403, 200, 403), "POST": ADMIN_ACTION},
    "scoring:provenance": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "scoring:trace": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "scoring:download": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    # --- the index studio: the what-if is the administrators' tool (not the auditors': it
    # is no record to read); saved scenarios and the statistical audit are read by auditors.
    "scoring:studio": {"GET": _r(302, 403, 403, 403, 200, 403), "POST": WRONG_METHOD},
    "scoring:scenario_save": {"GET": WRONG_METHOD,  # an empty form is shown again, refused
                              "POST": _r(302, 403, 403, 403, 400, 403)},
    "scoring:scenarios": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "scoring:scenario": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "scoring:audit": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "scoring:audit_download": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    # --- the published rankings: everyone alike --------------------------------------------
    "public:latest": {"GET": PUBLIC_REDIRECT, "POST": PUBLIC_NO_POST},  # to the latest year
    "public:publications": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:region_find": {"GET": PUBLIC_REDIRECT, "POST": PUBLIC_NO_POST},  # ?code=110000
    "public:region_latest": {"GET": PUBLIC_REDIRECT, "POST": PUBLIC_NO_POST},
    "public:overall": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:grid": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:weights": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:dimension": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:region": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:overall_json": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:download": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    # --- the national view: administrators, and auditors who read everything ---------------
    "national:overview": {"GET": _r(302, 403, 403, 403, 302, 302),  # to the latest cycle
                          "POST": WRONG_METHOD},
    "national:targets": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "national:cycle": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    # --- the audit log: auditors only (separation of duties) ---------------------------------
    "audit:log": {"GET": _r(302, 403, 403, 403, 403, 200), "POST": WRONG_METHOD},
    "audit:archive": {"GET": _r(302, 403, 403, 403, 403, 200), "POST": WRONG_METHOD},
    # --- the index model's versions: administrators derive and edit them, auditors read them
    # (what the scoring runs were computed with); walked on a draft derived from 2017 --------
    "indicators:models": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "indicators:compare": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "indicators:model": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "indicators:file": {"GET": ADMIN_READ, "POST": WRONG_METHOD},
    "indicators:derive": {"GET": WRONG_METHOD, "POST": ADMIN_ACTION},  # back, with the error
    "indicators:edit": {"GET": _r(302, 403, 403, 403, 200, 403),
                        "POST": _r(302, 403, 403, 403, 200, 403)},  # the form shown again
    # --- the published methodology: everyone alike (a draft is not public: 404) -----------
    "public:models": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:model": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:model_pdf": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "public:model_diff": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    # --- 通知公告 and the help pages: everyone reads them; administrators write the notices --
    "site:announcements": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "site:announcement": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "site:help": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "site:help_role": {"GET": PUBLIC_PAGE, "POST": PUBLIC_NO_POST},
    "site:announcements_manage": {"GET": _r(302, 403, 403, 403, 200, 403),
                                  "POST": _r(302, 403, 403, 403, 200, 403)},  # form re-shown
    "site:announcement_edit": {"GET": _r(302, 403, 403, 403, 200, 403),
                               "POST": _r(302, 403, 403, 403, 200, 403)},  # form re-shown
    # published already: refused with a message, back to the list
    "site:announcement_publish": {"GET": WRONG_METHOD, "POST": ADMIN_ACTION},
    "site:announcement_withdraw": {"GET": WRONG_METHOD, "POST": ADMIN_ACTION},
}

NOT_WALKED = {
    "admin:*": "the Django admin has its own permission system (PlatformAdminSite."
               "has_permission: the administrator and security administrator roles); "
               "test_admin_site_is_for_administrators_only checks /admin/ for every role",
    "api:*": "the machine API answers tokens as well as the roles: walked with its own table "
             "(API_EXPECTED, test_api_url_answers_as_decided)",
    "set_language": "Django's language switch: a POST that sets a cookie for anyone (no "
                    "CSRF token: config/urls.py says why), no object and no data of the "
                    "platform",
}

# Auditors change nothing: config.middleware.AuditorReadOnlyMiddleware answers 403 to any
# write of theirs (POST, PUT, PATCH, DELETE) before a view runs, whatever the view, except
# on the session's own endpoints. So every POST cell of the auditor is 403 but those two.
# The session's own endpoints: a POST there changes no data of the platform.
SESSION = frozenset({"accounts:login", "accounts:logout", "accounts:otp_enrol",
                     "accounts:otp_codes_kept", "accounts:otp_verify", "accounts:password_change",
                     "accounts:logout_everywhere", "accounts:language"})
for _name, _methods in EXPECTED.items():
    if _name not in SESSION:
        _methods["POST"] = {**_methods["POST"], "auditor": 403}

# Pages anyone may see, signed in or not.
PUBLIC = frozenset({"home", "favicon.ico", "accounts:login", "healthz", "readyz",
                    "site:announcements", "site:announcement", "site:help",
                    "site:help_role"}) | frozenset(
    name for name in EXPECTED if name.startswith("public:"))
# What a staff session without its second factor reaches (everything else: 302 to verify it).
OPEN_WITHOUT_SECOND_FACTOR = frozenset({"favicon.ico", "healthz", "readyz", "accounts:logout",
                                        "accounts:otp_enrol", "accounts:otp_codes_kept",
                                        "accounts:otp_verify"})
# URL keywords naming an object of one region (here always 北京's).
REGION_OBJECT_KWARGS = frozenset({"submission_id", "version_id", "file_id"})

# The region or dimension code a URL is walked with (a region's code unless listed).
CODE_FOR = {"public:dimension": "D1", "public:model": "2017", "public:model_pdf": "2017"}
# The download format a URL is walked with (csv unless listed).
FMT_FOR = {"scoring:audit_download": "json"}
# A query string a URL needs to ask something at all.
QUERY_FOR = {"public:region_find": "code=110000"}
# Reopening is asked of the approved submission (2017), everything else of the draft (2018).
APPROVED_SUBMISSION_FOR = frozenset({"submissions:reopen"})


# --- the walk ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Walked:
    name: str
    route: str
    kwargs: tuple[str, ...]
    named: bool


def _walk(resolver: URLResolver | None = None, namespace: str = "",
          prefix: str = "") -> Iterator[Walked]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            else:
                name = f"{namespace}:{route}" if namespace else route  # keyed by its route
            converters = getattr(pattern.pattern, "converters", {})
            yield Walked(name=name, route=route, kwargs=tuple(converters),
                         named=bool(pattern.name))


def _not_walked(name: str) -> bool:
    return any(name.startswith(key[:-1]) if key.endswith("*") else name == key
               for key in NOT_WALKED)


WALKED = {w.name: w for w in _walk() if not _not_walked(w.name)}
CELLS = [(name, method, role) for name in sorted(set(WALKED) | set(EXPECTED))
         for method in METHODS for role in ROLES]


# --- the objects the URLs name --------------------------------------------------------------

@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)


def _build_world() -> World:
    if not Region.objects.exists():
        call_command("bootstrap", verbosity=0)
    model = ModelVersion.objects.get(code="2017")
    administrator = UserFactory(username="admin", role_names=[roles.ADMINISTRATOR])
    officer_bj = make_officer("110000", "officer-bj")
    world = World(users={
        "anonymous": None,
        "officer_own": officer_bj,
        "officer_other": make_officer("310000", "officer-sh"),
        "reviewer": UserFactory(username="reviewer", role_names=[roles.REVIEWER]),
        "administrator": administrator,
        "auditor": UserFactory(username="auditor", role_names=[roles.AUDITOR]),
        "security_administrator": UserFactory(username="security",
                                              role_names=[roles.SECURITY_ADMINISTRATOR]),
        UNVERIFIED: UserFactory(username="reviewer-password-only", role_names=[roles.REVIEWER]),
    })
    # The unverified reviewer has an authenticator; the session has not yet seen its code.
    TOTPDevice.objects.create(user=world.users[UNVERIFIED], name="phone", confirmed=True)
    # 2017: every region's data loaded and approved, scored and published.
    cycle_2017 = cycle_create(year=2017, model_version=model, opens_on=date(2018, 1, 1),
                              deadline=date(2018, 3, 31), actor=administrator)
    codes = list(Region.objects.order_by("order").values_list("code", flat=True))
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = bulk_import(content=bulk_csv(bulk_rows(codes)), filename="2017.csv",
                             year=2017, actor=administrator, approve=True)
    assert result.ok, (result.errors, result.warnings)
    run = run_create(cycle=cycle_2017, actor=administrator, replications=10)
    run_publish(run=run, actor=administrator)
    scenario = scenario_save(cycle=cycle_2017, base_run=run, name="scope", note="",
                             parameters={"indicator_weights": {"I11": 2}}, actor=administrator)
    # Next year's model, a draft derived from 2017 (which the cycles have frozen).
    draft_model = model_version_derive(source=model, code="2019", year=2019, actor=administrator)
    # 2018: 北京's draft, with an uploaded (and validated) version.
    cycle_2018 = cycle_create(year=2018, model_version=model, opens_on=date(2019, 1, 1),
                              deadline=date(2019, 3, 31), actor=administrator)
    draft = Submission.objects.get(cycle=cycle_2018, region=officer_bj.region)
    with TestCase.captureOnCommitCallbacks(execute=True):
        version = version_create_from_upload(submission=draft,
                                             content=template_csv(valid_values()),
                                             filename="北京2018.csv", actor=officer_bj)
    draft.refresh_from_db()
    approved = Submission.objects.get(cycle=cycle_2017, region=officer_bj.region)
    assert approved.state == Submission.State.APPROVED
    assert draft.state == Submission.State.DRAFT and draft.current_version_id == version.pk
    world.objects.update(cycle=cycle_2017, run=run, draft=draft, approved=approved,
                         version=version, file=version.file, scenario=scenario,
                         model=draft_model)
    world.objects["announcement"] = announcement_create(
        actor=administrator, title_zh="2018 年度填报开始", title_en="Reporting for 2018 opens",
        body_zh="请各地区按时填报。", body_en="Please report on time.", publish=True)
    # The API tokens of 北京's and 上海's statistics systems.
    world.objects["tokens"] = {
        role: api_token_create(name=f"scope-{code}", region_code=code, actor=administrator).secret
        for role, code in (("token_own", "110000"), ("token_other", "310000"))}
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module, in a transaction rolled back at its end. Each test runs in
    a savepoint of it (pytest-django's ``django_db``, whose TestCase leaves class-level
    transactions alone), so a POST that succeeds changes nothing for the next test."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)


KWARG_VALUES: dict[str, Callable[[str, World], object]] = {
    "submission_id": lambda name, w: w.objects[
        "approved" if name in APPROVED_SUBMISSION_FOR else "draft"].pk,
    "version_id": lambda name, w: w.objects["version"].pk,
    "model_id": lambda name, w: w.objects["model"].pk,
    "file_id": lambda name, w: w.objects["file"].pk,
    "cycle_id": lambda name, w: w.objects["cycle"].pk,
    "run_id": lambda name, w: w.objects["run"].pk,
    "year": lambda name, w: 2017,
    "code": lambda name, w: CODE_FOR.get(name, "110000"),
    "table": lambda name, w: "overall",
    "fmt": lambda name, w: FMT_FOR.get(name, "csv"),
    "scenario_id": lambda name, w: w.objects["scenario"].pk,
    "action": lambda name, w: "approve",
    "page": lambda name, w: "structure",
    "old": lambda name, w: "2017",
    "new": lambda name, w: "2017",
    "pk": lambda name, w: w.objects["announcement"].pk,
    "role": lambda name, w: "officer",
}


def _url(walked: Walked, world: World) -> str:
    unknown = [k for k in walked.kwargs if k not in KWARG_VALUES]
    if unknown:
        pytest.fail(f"{walked.name}: no value for <{'>, <'.join(unknown)}>; add to KWARG_VALUES")
    kwargs = {k: KWARG_VALUES[k](walked.name, world) for k in walked.kwargs}
    if walked.named:
        url = reverse(walked.name, kwargs=kwargs)
    else:  # keyed by its route
        assert not kwargs, f"{walked.name}: an unnamed pattern with arguments"
        url = "/" + walked.route
    query = QUERY_FOR.get(walked.name)
    return f"{url}?{query}" if query else url


def _client(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if role == UNVERIFIED:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    elif user is not None:
        verified_login(client, user)
    return client


def _ask(client: Client, method: str, url: str) -> tuple[int, str]:
    response = client.get(url) if method == "GET" else client.post(url, {})
    if response.streaming:
        # Read to the end: the test client then closes the response without closing the
        # database connection (and with it the module's transaction), which response.close()
        # would do (its request_finished signal runs close_old_connections).
        b"".join(response.streaming_content)
    return response.status_code, response.get("Location", "")


# --- the global rules ----------------------------------------------------------------------

def _names_a_region_object(name: str) -> bool:
    """The URL names an object of one region (北京's, as walked here): a submission, a
    version, a file, or (outside the public pages) a region's figures by its code."""
    kwargs = set(WALKED[name].kwargs) if name in WALKED else set()
    walked_with_region_code = "code" in kwargs and name not in CODE_FOR
    return bool(REGION_OBJECT_KWARGS & kwargs) or (walked_with_region_code
                                                   and name not in PUBLIC)


def _rule_breaches(name: str, method: str, role: str, status: int) -> list[str]:
    """The rules that hold for every cell, whatever its decided answer."""
    breaches = []
    if role == "officer_other" and status == 200 and _names_a_region_object(name):
        breaches.append("another region's officer got 200 for an object of 北京")
    if (role == "auditor" and method == "POST" and name not in SESSION
            and status not in (403, 405)):
        breaches.append(f"an auditor's POST got {status} (auditors change nothing)")
    if role == "anonymous" and status == 200 and name not in PUBLIC:
        breaches.append("an anonymous visitor got 200 on a page that is not public")
    if role == UNVERIFIED and name not in OPEN_WITHOUT_SECOND_FACTOR and status != 302:
        breaches.append(f"a staff session without its second factor got {status}")
    return breaches


# --- the tests -----------------------------------------------------------------------------

def test_every_url_has_a_decided_answer() -> None:
    missing = sorted(set(WALKED) - set(EXPECTED))
    assert not missing, f"URL patterns without a decided answer in EXPECTED: {missing}"
    stale = sorted(set(EXPECTED) - set(WALKED))
    assert not stale, f"EXPECTED names URL patterns that do not exist (any more): {stale}"
    incomplete = sorted(
        f"{name} {method}" for name, answers in EXPECTED.items() for method in METHODS
        if set(answers.get(method, {})) != set(ROLES))
    assert not incomplete, f"EXPECTED entries without an answer for every role: {incomplete}"


def test_the_decisions_keep_the_global_rules() -> None:
    breaches = [f"{name} {method} {role}: {breach}"
                for name, answers in EXPECTED.items() for method, by_role in answers.items()
                for role, status in by_role.items()
                for breach in _rule_breaches(name, method, role, status)]
    assert not breaches, "\n".join(breaches)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role"), CELLS)
def test_url_answers_as_decided(name: str, method: str, role: str, world: World) -> None:
    if name not in EXPECTED or method not in EXPECTED[name] or role not in EXPECTED[name][method]:
        pytest.fail(f"{name} {method} {role}: no decided answer in EXPECTED")
    if name not in WALKED:
        pytest.fail(f"{name}: in EXPECTED but no URL pattern has this name")
    states = dict(Submission.objects.filter(
        pk__in=[world.objects["draft"].pk, world.objects["approved"].pk]).values_list("pk",
                                                                                 "state"))
    assert states == {world.objects["draft"].pk: Submission.State.DRAFT,
                      world.objects["approved"].pk: Submission.State.APPROVED}, (
        "an earlier test's POST was not rolled back")
    url = _url(WALKED[name], world)
    if name == "readyz":
        heartbeat()  # a worker is alive in this world (readyz: within the last 60 s)
    status, location = _ask(_client(world, role), method, url)
    expected = EXPECTED[name][method][role]
    problems = []
    if status != expected:
        problems.append(f"expected {expected}, got {status}"
                        + (f" (to {location})" if location else ""))
    problems += _rule_breaches(name, method, role, status)
    login = reverse("accounts:login")
    if status == 302 and role == "anonymous" and name not in PUBLIC | SESSION:
        if not location.startswith(login):
            problems.append(f"an anonymous visitor was sent to {location}, not to log in")
    elif status == 302 and role != "anonymous" and location.startswith(login) \
            and name != "accounts:logout_everywhere":  # signed out of every session, this one too
        problems.append(f"a signed-in {role} was sent to log in ({location})")
    if status == 302 and role == UNVERIFIED and name not in OPEN_WITHOUT_SECOND_FACTOR \
            and not location.startswith(reverse("accounts:otp_verify")):
        problems.append(f"a staff session without its second factor was sent to {location}")
    assert not problems, f"{method} {url} as {role}: " + "; ".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_site_is_for_administrators_only(role: str, world: World) -> None:
    """Administrators and security administrators (each seeing the pages of their own duty:
    tests/accounts/test_user_admin.py); the others are sent to the admin's login, which sends
    the anonymous on to the platform's own and refuses the signed-in."""
    status, location = _ask(_client(world, role), "GET", reverse("admin:index"))
    if role in ("administrator", "security_administrator"):
        assert status == 200
    elif role == UNVERIFIED:
        assert status == 302 and location.startswith(reverse("accounts:otp_verify"))
    else:
        assert status == 302
        assert location.startswith(reverse("admin:login"))



# --- the machine API (api/) ------------------------------------------------------------------
#
# The API knows two kinds of caller: anyone (the published data) and a provincial system with
# its API token (its own region's submission). A browser session is no API credential: every
# signed-in role is answered as an anonymous client, except that an auditor's POST is refused
# first (AuditorReadOnlyMiddleware). So:
#
# - the published data and the documentation answer everyone alike (200; a POST 405);
# - a region's submission asks for a token (401) and answers 404 to another region's token,
#   for every method (its existence is not disclosed); a method the route does not take is
#   405 for the region's own token;
# - the writes of the region's own token answer 400 for the empty body sent here (nothing is
#   stored) and 202 for a submit (the draft walked has a valid version).

API_ROLES = (*ROLES, "token_own", "token_other")


def _api(session: int, token_own: int, token_other: int, *, auditor: int | None = None
         ) -> dict[str, int]:
    """One row of API answers: the signed-in roles and anonymous clients alike (but the
    auditor, where given, and the staff session without its second factor), then each
    token."""
    answers = dict.fromkeys(ROLES, session)
    if auditor is not None:
        answers["auditor"] = auditor
    # A staff session without its second factor reaches nothing but enrolment and verification:
    # with its cookie, the API too sends it there.
    answers[UNVERIFIED] = 302
    return {**answers, "token_own": token_own, "token_other": token_other}


API_PUBLIC = {"GET": _api(200, 200, 200), "POST": _api(405, 405, 405, auditor=403)}
API_TOKEN_READ = {"GET": _api(401, 200, 404), "POST": _api(401, 405, 405, auditor=403)}


def _api_write(own: int) -> dict[str, dict[str, int]]:
    return {"GET": _api(401, 405, 405), "POST": _api(401, own, 404, auditor=403)}


API_EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # --- published data and SDMX: everyone alike -------------------------------------------
    "api:years": API_PUBLIC,
    "api:year": API_PUBLIC,
    "api:ranking": API_PUBLIC,
    "api:region_results": API_PUBLIC,
    "api:publications": API_PUBLIC,
    "api:results": API_PUBLIC,
    "api:regions": API_PUBLIC,
    "api:model_versions": API_PUBLIC,
    "api:model_version": API_PUBLIC,
    "api:targets": API_PUBLIC,
    "api:sdmx_structure": API_PUBLIC,
    "api:sdmx_data": API_PUBLIC,
    # --- the documentation -----------------------------------------------------------------
    "api:schema": API_PUBLIC,
    "api:docs": API_PUBLIC,
    "api:redoc": API_PUBLIC,
    # --- 北京's 2018 submission: 北京's token only ------------------------------------------
    "api:submission": API_TOKEN_READ,
    "api:template": API_TOKEN_READ,
    "api:template_file": API_TOKEN_READ,
    "api:versions": API_TOKEN_READ,
    "api:version": API_TOKEN_READ,
    "api:values": _api_write(400),
    "api:file": _api_write(400),
    "api:explanations": _api_write(400),
    "api:submit": _api_write(202),
}
API_WALKED = {w.name: w for w in _walk() if w.name.startswith("api:")}
# The routes of a region's submission (北京's, walked in 2018, where it is a draft).
API_SUBMISSION = frozenset(name for name, w in API_WALKED.items() if "/submissions/" in w.route)
API_CELLS = [(name, method, role) for name in sorted(set(API_WALKED) | set(API_EXPECTED))
             for method in METHODS for role in API_ROLES]
API_KWARGS: dict[str, Callable[[str, World], object]] = {
    "year": lambda name, w: 2018 if name in API_SUBMISSION else 2017,
    "region_code": lambda name, w: "110000",
    "number": lambda name, w: w.objects["version"].number,
    "code": lambda name, w: "2017",
}


def _api_url(name: str, world: World) -> str:
    walked = API_WALKED[name]
    unknown = [k for k in walked.kwargs if k not in API_KWARGS]
    if unknown:
        pytest.fail(f"{name}: no value for <{'>, <'.join(unknown)}>; add to API_KWARGS")
    return reverse(name, kwargs={k: API_KWARGS[k](name, world) for k in walked.kwargs})


def _api_client(world: World, role: str) -> Client:
    if role.startswith("token_"):
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.objects['tokens'][role]}")
    return _client(world, role)


def _api_breaches(name: str, method: str, role: str, status: int) -> list[str]:
    breaches = []
    if name in API_SUBMISSION and role != "token_own" and 200 <= status < 300:
        breaches.append(f"{role} reached 北京's submission ({status})")
    if role == "auditor" and method == "POST" and status not in (403, 405):
        breaches.append(f"an auditor's POST got {status} (auditors change nothing)")
    return breaches


def test_every_api_url_has_a_decided_answer() -> None:
    missing = sorted(set(API_WALKED) - set(API_EXPECTED))
    assert not missing, f"API URL patterns without a decided answer in API_EXPECTED: {missing}"
    stale = sorted(set(API_EXPECTED) - set(API_WALKED))
    assert not stale, f"API_EXPECTED names URL patterns that do not exist (any more): {stale}"
    incomplete = sorted(f"{name} {method}" for name, answers in API_EXPECTED.items()
                        for method in METHODS if set(answers.get(method, {})) != set(API_ROLES))
    assert not incomplete, f"API_EXPECTED entries without an answer for every caller: {incomplete}"


def test_the_api_decisions_keep_the_scope_rules() -> None:
    breaches = [f"{name} {method} {role}: {breach}"
                for name, answers in API_EXPECTED.items() for method, by_role in answers.items()
                for role, status in by_role.items()
                for breach in _api_breaches(name, method, role, status)]
    assert not breaches, "\n".join(breaches)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role"), API_CELLS)
def test_api_url_answers_as_decided(name: str, method: str, role: str, world: World) -> None:
    if name not in API_EXPECTED:
        pytest.fail(f"{name} {method} {role}: no decided answer in API_EXPECTED")
    if name not in API_WALKED:
        pytest.fail(f"{name}: in API_EXPECTED but no URL pattern has this name")
    url = _api_url(name, world)
    status, _location = _ask(_api_client(world, role), method, url)
    expected = API_EXPECTED[name][method][role]
    problems = [f"expected {expected}, got {status}"] if status != expected else []
    problems += _api_breaches(name, method, role, status)
    assert not problems, f"{method} {url} as {role}: " + "; ".join(problems)
