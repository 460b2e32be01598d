"""The password hasher: Argon2id at OWASP's parameters (m=19 MiB, t=2, p=1).

Django's own Argon2 hasher uses 100 MiB and 8 lanes; OWASP's Password Storage Cheat Sheet gives
19 MiB, two passes, one lane as the minimum for Argon2id — about 30–60 ms of one core here, so
31 officers logging in at once cost a second or two of CPU instead of ten with PBKDF2, without
a weaker hash. The algorithm name stays ``argon2``: hashes stay Django's standard ones, and a
hash with other parameters is re-made at its owner's next login (``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
