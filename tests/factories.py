"""Factories for the tests: people with roles, cycles and submissions."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.models import User
from indicators.models import ModelVersion, Region
from submissions.models import Cycle, Submission

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.LazyAttribute(lambda o: o.username)
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def role_names(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for name in extracted or []:
            group, _ = Group.objects.get_or_create(name=name)
            self.groups.add(group)


def verified_login(client: Client, user: User) -> Client:
    """Sign ``user`` in on ``client`` as after a whole login: with the second factor verified
    when their role needs one (an authenticator made for them if they have none)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if roles.requires_second_factor(user):
        device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                  or TOTPDevice.objects.create(user=user, name="test", confirmed=True))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def make_officer(region_code: str, username: str | None = None) -> User:
    region = Region.objects.get(code=region_code)
    return UserFactory(username=username or f"officer-{region_code}", region=region,
                       role_names=[roles.OFFICER])


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ("year",)

    year = 2017
    model_version = factory.LazyFunction(lambda: ModelVersion.objects.get(code="2017"))
    opens_on = date(2018, 1, 1)
    deadline = date(2018, 3, 31)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission
        django_get_or_create = ("cycle", "region")

    cycle = factory.SubFactory(CycleFactory)
    region = factory.LazyFunction(lambda: Region.objects.get(code="110000"))
