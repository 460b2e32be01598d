"""What the accounts app tells others: second factors enrolled, verified, failed and reset,
passwords set, sessions ended. The audit log listens (``audit/signals.py``): ``accounts`` never
imports ``audit``. Each is sent inside the transaction of the change it reports; the accounts
app's own receivers are in ``accounts/receivers.py``."""

from __future__ import annotations

from django.dispatch import Signal

# Where the reason a session was ended is left on the request (the audit log reads it).
LOGOUT_REASON = "logout_reason"

# Sent with user=, actor= (and the extra arguments named).
second_factor_enrolled = Signal()  # device=
second_factor_verified = Signal()  # device=, request=
second_factor_failed = Signal()  # request=
second_factor_reset = Signal()  # devices= (how many were removed)
password_set = Signal()  # temporary=
sessions_ended = Signal()  # count=, reason=
