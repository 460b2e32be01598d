"""The embedded default's broker: kombu's filesystem transport, each message written whole.

kombu 5's filesystem transport writes a message by opening its final name and then writing into
it; a worker listing the folder in between moves the still empty file away, reads nothing, and
the message is lost (on deadline day, with workers polling every 0.1 s: one upload in 111 was
never validated — until the sweep re-queues it ten minutes later). Here a message is written
under a name the workers skip (it does not end in ``.<queue>.msg``) and renamed into place:
a rename within one folder is atomic, so a worker sees a whole message or none."""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as out:
                out.write(str_to_bytes(dumps(message)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def install() -> None:
    """``filesystem://`` (the embedded default's CELERY_BROKER_URL) means this transport, in
    every process that imports the Celery app (config/celery.py)."""
    TRANSPORT_ALIASES["filesystem"] = "config.broker:Transport"
