"""Uploaded files: the one size check, and their content-addressed storage.

Write the bytes outside a transaction (slow I/O), the record inside the transaction of the
version that uses it.

A stored file is named by the SHA-256 of its bytes and is either whole or absent. The bytes go
to a temporary file under ``INCOMING`` (inside the store's folder, so on the same file system,
but outside the stored names), are synced, read back and checked (size and SHA-256), then
renamed into place (``os.replace``: atomic). Any failure (a full or read-only disk) removes the
temporary file and raises ``StorageUnavailable`` (the upload view answers 503). A file already
under the name is kept only if its bytes match the name: a partial file left by an older
version of this code is replaced. ``file_check_all`` (the ``check_files`` command) finds stored
files whose bytes no longer match their names.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError
from indicators.models import Region
from submissions.models import Cycle, UploadedFile, Version, upload_path

logger = logging.getLogger(__name__)

FILE_EMPTY = _("文件为空")
FILE_TOO_LARGE = _("文件大小 {size} 超过上限 {limit}")
STORAGE_UNAVAILABLE = _(
    "文件存储暂时不可用，文件没有保存，请稍后重新上传。如果问题持续，请联系管理员。")
INCOMING = ".incoming"  # under MEDIA_ROOT: temporary files, never a stored name
CHUNK = 1024 * 1024
_write_chunk = os.write  # replaced by tests that fill the disk midway


class StorageUnavailable(ApplicationError):
    """The file could not be stored whole (disk full, read-only, gone): nothing was kept."""

    def __init__(self) -> None:
        super().__init__("STORAGE_UNAVAILABLE", STORAGE_UNAVAILABLE, field="file")


class StoredFileCorrupt(Exception):
    """A stored file's bytes do not match its SHA-256 name: damaged on the disk after it was
    stored, not the uploader's doing."""


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


def bulk_file_read(*, sha256: str) -> bytes | None:
    """The bytes stored under a content hash (``file_store``), or ``None`` when there are none
    or they no longer match it."""
    path = Path(default_storage.path(f"uploads/{sha256[:2]}/{sha256}"))
    try:
        content = path.read_bytes()
    except OSError:
        return None
    return content if hashlib.sha256(content).hexdigest() == sha256 else None


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
    """Store ``content`` under the record's name, whole or not at all (module docstring)."""
    target = Path(default_storage.path(str(record.file.name)))
    if _matches(target, sha256=record.sha256, size=record.size):
        return  # content-addressed: the same bytes are there already
    incoming = Path(settings.MEDIA_ROOT) / INCOMING
    temporary = incoming / f"{record.sha256}.{uuid.uuid4().hex}"
    try:
        incoming.mkdir(parents=True, exist_ok=True)
        _write_synced(temporary, content)
        if not _matches(temporary, sha256=record.sha256, size=record.size):
            raise OSError(f"{temporary} does not hold what was written")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
    except OSError as exc:
        logger.error("could not store %s (%d bytes): %s", record.file.name, record.size, exc)
        temporary.unlink(missing_ok=True)
        raise StorageUnavailable from exc


def _write_synced(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        view = memoryview(content)
        for start in range(0, len(view), CHUNK):
            chunk = view[start:start + CHUNK]
            while chunk:
                chunk = chunk[_write_chunk(fd, bytes(chunk)):]
        os.fsync(fd)
    finally:
        os.close(fd)


def file_sha256(path: Path) -> tuple[str, int] | None:
    """The SHA-256 and size of a file's bytes; ``None`` if it cannot be read."""
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
                size += len(block)
    except OSError:
        return None
    return digest.hexdigest(), size


def _matches(path: Path, *, sha256: str, size: int) -> bool:
    try:
        if path.stat().st_size != size:
            return False
    except OSError:
        return False
    return file_sha256(path) == (sha256, size)


def file_read_checked(*, record: UploadedFile) -> bytes:
    """The bytes of a stored file, refused (``StoredFileCorrupt``) unless they match its
    SHA-256: a damaged file is an operator's problem, never a verdict on the upload."""
    with record.file.open("rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != record.sha256:
        raise StoredFileCorrupt(f"{record.file.name}: {len(content)} bytes do not match "
                                f"its SHA-256 (recorded size {record.size})")
    return content


@dataclass(frozen=True)
class FileProblem:
    name: str        # under MEDIA_ROOT
    problem: str     # "missing", "unreadable", "mismatch"
    actual: str      # the SHA-256 of what is there ("" when missing or unreadable)
    size: int | None
    versions: list[str]  # "2017 北京 v3", the versions that read the file


def file_check_all() -> Iterator[FileProblem]:
    """Every stored file (on the disk, and every recorded one) whose bytes do not match its
    SHA-256 name, with the versions that use it."""
    root = Path(settings.MEDIA_ROOT)
    recorded = set(UploadedFile.objects.values_list("file", flat=True))
    on_disk = {str(p.relative_to(root)) for p in (root / "uploads").rglob("*") if p.is_file()}
    for name in sorted(recorded | on_disk):
        path, expected = root / name, Path(name).name
        found = file_sha256(path) if path.exists() else None
        if found is not None and found[0] == expected:
            continue
        problem = "missing" if not path.exists() else "unreadable" if found is None \
            else "mismatch"
        yield FileProblem(name, problem, found[0] if found else "",
                          found[1] if found else None, _versions_of(name))


def _versions_of(name: str) -> list[str]:
    return [f"{v.submission} v{v.number}" for v in Version.objects.filter(file__file=name)
            .select_related("submission__cycle", "submission__region").order_by("pk")]
