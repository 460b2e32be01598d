"""The folders under ``DATA_DIR``, made where they are first needed.

Importing the settings makes nothing (a settings module with side effects makes every import —
a test, a tool, ``manage.py help`` — write to the disk). Instead:

* ``DATA_DIR`` itself (the SQLite file, the static root WhiteNoise reads) is made by the
  system check below, which every ``manage.py`` command runs before anything else (``migrate``
  first of all), by ``bin/dev.py`` (``make run``) and by the tests' ``pytest_configure``;
* the filesystem broker's folders are made by the Celery app (``config/celery.py``) when a
  worker starts and before a task is published;
* ``DATA_DIR/files`` (uploads) and ``DATA_DIR/cache`` are made by Django's file storage and
  file cache on their first write.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


def data_folders() -> list[Path]:
    """The folders the platform needs before its first request: ``DATA_DIR`` and the static
    root (WhiteNoise warns at start when it is missing; ``collectstatic`` fills it)."""
    return [Path(settings.DATA_DIR), Path(settings.STATIC_ROOT)]


def broker_folders() -> list[Path]:
    """The folders of kombu's filesystem transport (the embedded default); none on Redis."""
    if not str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        return []
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    names = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
    return sorted({Path(str(options[name])) for name in names if options.get(name)})


def ensure_folders(folders: list[Path]) -> None:
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


def ensure_data_folders() -> None:
    """Make ``DATA_DIR``, the static root and (on the embedded default) the broker's folders."""
    ensure_folders(data_folders() + broker_folders())


@register()
def check_data_folders(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Make the data folders at start, or stop naming the one that cannot be made or written."""
    for folder in data_folders() + broker_folders():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return [Error(f"The folder {folder} cannot be made: {exc.strerror or exc}.",
                          hint="Set DATA_DIR to a folder this process may write to.",
                          id="config.E001")]
        if not os.access(folder, os.W_OK | os.X_OK):
            return [Error(f"The folder {folder} is not writable by this process.",
                          hint="Set DATA_DIR to a folder this process may write to.",
                          id="config.E002")]
    return []
