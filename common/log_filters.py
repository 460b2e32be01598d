"""Filters of the platform's log (settings.LOGGING)."""

from __future__ import annotations

import logging

# A refusal is the platform working as meant (a role missing, an object of another region):
# one line says so; a traceback would read as a fault and bury the real ones.
REFUSALS = frozenset({403, 404})


class RefusalWithoutTraceback(logging.Filter):
    """Keeps ``django.request``'s line for a 403 or a 404 but drops the traceback Django
    attaches to it (the ``PermissionDenied`` or ``Http404`` that made the response)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in REFUSALS:
            record.exc_info = None
            record.exc_text = None
        return True
