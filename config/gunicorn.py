"""gunicorn's settings for the platform: ``gunicorn -c config/gunicorn.py config.wsgi``.

Threaded workers (gthread). A login hashes its password on purpose slowly (Argon2id, tens of
milliseconds of CPU); on a sync worker every request that arrives meanwhile waits behind it, and
on a deadline day 31 officers log in at once (docs/benchmarks.md: "Deadline day"). With threads
a worker answers uploads and status polls while other threads hash: the hash (argon2-cffi's C
code) and the database calls release Python's GIL.

Environment: WEB_CONCURRENCY (worker processes, default 2), GUNICORN_THREADS (threads per
worker, default 8), GUNICORN_BIND (default 0.0.0.0:8000). A thread holds a database connection
while it serves: PostgreSQL's max_connections must exceed workers × threads × web machines (plus
the Celery workers).
"""

import os

wsgi_app = "config.wsgi"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
timeout = 60
graceful_timeout = 30
# Uploads of up to UPLOAD_MAX_BYTES are read by the worker; slow clients hold a thread, not a
# whole process.
keepalive = 5
