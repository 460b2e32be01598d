"""``{% entry_text record as entry %}``: an audit entry's sentence and changes (audit.describe)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _

from audit import describe
from audit.models import AuditEntry

register = template.Library()


@dataclass(frozen=True)
class EntryText:
    sentence: str
    changes: list[str]
    more: int

    @property
    def more_text(self) -> str:
        return _("另有 %(n)s 项修改") % {"n": self.more}


@register.simple_tag
def entry_text(record: AuditEntry) -> EntryText:
    lines, more = describe.changes(record.data, record.action)
    return EntryText(describe.sentence(record.action, record.data), lines, more)
