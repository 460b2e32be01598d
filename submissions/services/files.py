"""Uploaded files: the one size check, and their content-addressed storage.

Write the bytes outside a transaction (slow I/O), the record inside the transaction of the
version that uses it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from indicators.models import Region
from submissions.models import Cycle, UploadedFile, upload_path

FILE_EMPTY = _("文件为空")
FILE_TOO_LARGE = _("文件大小 {size} 超过上限 {limit}")


def file_check_size(*, size: int, limit: int | None = None) -> None:
    """Refuse an empty file or one above ``limit`` (``UPLOAD_MAX_BYTES`` unless given).

    The upload view asks before it reads the upload, the upload service again with the bytes,
    the bulk command before it reads the file: one rule, one message."""
    if size <= 0:
        raise ApplicationError("FILE_EMPTY", FILE_EMPTY, field="file")
    limit = settings.UPLOAD_MAX_BYTES if limit is None else limit
    if size > limit:
        raise ApplicationError("FILE_TOO_LARGE", FILE_TOO_LARGE, field="file",
                               params={"size": _size(size), "limit": _size(limit)})


def _size(n: int) -> str:
    """``2048`` → ``2 KB``, ``1536`` → ``1.5 KB``, ``10485760`` → ``10 MB``: one decimal at
    most, none where it is zero."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{round(n / scale, 1):g} {unit}"
    return f"{n} B"


def file_store(
    *, content: bytes, filename: str, cycle: Cycle | None, region: Region | None, purpose: str,
    actor: Any,
) -> UploadedFile:
    """Write the bytes (content-addressed, so a retry or a second upload of the same file
    writes nothing new) and return an unsaved record of them. Call outside a transaction."""
    record = file_record(content=content, filename=filename, cycle=cycle, region=region,
                         purpose=purpose, actor=actor)
    file_write(record=record, content=content)
    return record


def file_record(
    *, content: bytes, filename: str, cycle: Cycle | None, region: Region | None, purpose: str,
    actor: Any,
) -> UploadedFile:
    """The unsaved record of a file, named by its content; ``file_write`` writes the bytes."""
    record = UploadedFile(
        cycle=cycle, region=region, purpose=purpose, original_name=filename[:255],
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor,
    )
    record.file.name = upload_path(record, filename)
    return record


def file_write(*, record: UploadedFile, content: bytes) -> None:
    name = str(record.file.name)
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))
