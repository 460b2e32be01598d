"""`make run`: the whole platform on one machine, on the embedded default or on the services
named by DATABASE_URL / REDIS_URL. Migrates, loads the reference data and the demo, starts a
Celery worker and the development web server, prints the URL and the demo logins."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def data_dir() -> Path:
    """Where the SQLite file, the uploads, the embedded broker and the beat schedule go; made
    here, before the first command opens the database (the settings make no folder)."""
    folder = Path(os.environ.get("DATA_DIR") or ROOT / "var").expanduser().resolve()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["DATA_DIR"] = str(folder)  # the commands below run in ROOT: the same folder
    return folder


def main() -> None:
    schedule = data_dir() / "celerybeat-schedule"
    manage("migrate", "--noinput", "-v", "0")
    manage("bootstrap")
    manage("seed_demo")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO",
         "--concurrency", "2", "--beat", "--schedule", str(schedule)],
        cwd=ROOT,
    )
    print(f"\n  Platform: http://{HOST}:{PORT}/\n"
          "  Demo logins: see the lines of seed_demo above.\n", flush=True)
    try:
        subprocess.run([sys.executable, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"],
                       cwd=ROOT, check=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


if __name__ == "__main__":
    main()
