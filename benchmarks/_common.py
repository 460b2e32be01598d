"""What every benchmark script needs: the machine it ran on, a fresh database, and its section
of ``docs/benchmarks.md``. Imported as ``_common`` (the scripts run as
``.venv/bin/python benchmarks/<script>.py``, so this folder is on the path)."""

from __future__ import annotations

import platform
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _proc_line(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line
    except OSError:
        pass
    return None


def cpu_model() -> str:
    line = _proc_line("/proc/cpuinfo", "model name")
    return line.split(":", 1)[1].strip() if line else (platform.processor() or "unknown CPU")


def memory_gib() -> str:
    line = _proc_line("/proc/meminfo", "MemTotal:")
    return f"{int(line.split()[1]) / 2**20:.1f} GiB" if line else "unknown"


def os_name() -> str:
    line = _proc_line("/etc/os-release", "PRETTY_NAME=")
    return line.split("=", 1)[1].strip('"') if line else platform.platform()


def recreate_database(url: str, *, create: bool = True) -> None:
    """Drop the database named in a PostgreSQL URL and, unless ``create`` is False, create it
    empty again (an SQLite file is removed)."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        Path(parts.path[1:] if parts.path.startswith("//") else parts.path).unlink(
            missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    if not parts.scheme.startswith("postgres") or not name:
        raise SystemExit(f"{url}: a PostgreSQL URL with a database name is needed")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def write_section(path: Path, section: str) -> Path:
    """Put ``section`` (Markdown whose first line is its ``## `` title) into ``path``, in place
    of an earlier section of the same title, or at the end; the other sections stay."""
    title = section.split("\n", 1)[0]
    body = section.rstrip("\n") + "\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(title + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        following = text.find("\n## ", start + len(title))
        text = text[:start] + body + ("" if following == -1 else text[following:])
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
