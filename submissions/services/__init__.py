"""Writes of the submissions app, one module per thing they own:

- ``cycles``: reporting cycles (create, close and reopen, deadline);
- ``files``: the upload size check and content-addressed file storage;
- ``versions``: new versions from an upload or an online correction, and their values;
- ``validation``: the worker's validation of a version, and re-queueing stuck work;
- ``review``: transitions (submit, the worker's check, approve, return, reopen) and comments;
- ``notifications``: e-mails to the officers;
- ``progress``: how far a validation is, for the page that polls it.

Callers import from the module that owns the function. Services never import tasks: they
queue by the task's Celery name (``common.tasks.enqueue_on_commit``), and tasks import them.
"""
