"""``{% site_contact as contact %}``: the contact line of the site's footer, from the settings
(``PUBLIC_CONTACT_ZH``/``PUBLIC_CONTACT_EN``: a sentence in each language, e.g. the office and
its telephone; ``PUBLIC_CONTACT_EMAIL``: an address, ``DEFAULT_FROM_EMAIL`` unless set)."""

from __future__ import annotations

from django import template
from django.conf import settings

from common.i18n import pick

register = template.Library()


@register.simple_tag
def site_contact() -> dict[str, str]:
    return {"text": pick(settings.PUBLIC_CONTACT_ZH, settings.PUBLIC_CONTACT_EN),
            "email": settings.PUBLIC_CONTACT_EMAIL}
