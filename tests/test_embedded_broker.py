"""The embedded broker writes each message whole (config/broker.py): a worker listing the
folder while a message is written sees it complete or not at all, never an empty file."""

from __future__ import annotations

from queue import Empty

import pytest
from kombu import Connection

from config import broker


@pytest.fixture
def channel(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder),
               "processed_folder": str(tmp_path), "control_folder": str(tmp_path),
               "store_processed": False}
    with Connection("filesystem://", transport=broker.Transport,
                    transport_options=options) as connection:
        yield connection.default_channel, folder


def test_a_message_is_invisible_until_written_whole(channel, monkeypatch):
    chan, folder = channel
    seen_while_writing = []
    real_replace = broker.os.replace

    def replace(partial, final):
        with pytest.raises(Empty):  # a worker looking now finds nothing to take
            chan._get("q")
        seen_while_writing.append(sorted(p.name for p in folder.iterdir()))
        real_replace(partial, final)

    monkeypatch.setattr(broker.os, "replace", replace)
    chan._put("q", {"body": "validate version 7"})
    assert seen_while_writing and seen_while_writing[0][0].endswith(".q.msg.part")
    assert chan._get("q") == {"body": "validate version 7"}
    assert list(folder.iterdir()) == []


def test_the_platform_uses_it_on_the_embedded_default(settings):
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: the broker is Redis")
    from config.celery import app

    with app.connection_for_write() as connection:
        assert connection.as_uri().startswith("filesystem://")
        assert isinstance(connection.transport, broker.Transport)
        assert connection.transport.polling_interval == settings.CELERY_BROKER_TRANSPORT_OPTIONS[
            "polling_interval"]
