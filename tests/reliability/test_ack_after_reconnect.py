"""A worker that survives the broker's restart (issue 16, point 9).

``test_broker_restart.py`` failed now and then, under load, with kombu 5.7's
``AttributeError: 'NoneType' object has no attribute 'hostname'`` in
``kombu/transport/redis.py`` ``_connparams``, and the worker stopped ("Unrecoverable error").
The cause, from the worker's log of a failing run (13:37 run, before the fix):

1. Redis dies while the worker's channel waits in BRPOP and holds unacknowledged messages (the
   tasks its pool runs, ``acks_late``).
2. Celery's ``on_connection_error_after_connected`` calls ``connection.collect()``: closing the
   channel fails at once (it reads the BRPOP reply from the dead socket: a connection error,
   ignored), so the channel stays open; then the transport is closed anyway
   (``Transport.client = None``).
3. Celery then calls ``connection.close()``: the channel's second ``close()`` drops its
   connection pool and, to put the unacknowledged messages back (``restore_unacked_once``),
   builds a new one from the closed transport: ``None.hostname``. An ``AttributeError`` is not
   a connection error, so ``ignore_errors`` lets it through and the consumer dies. The same
   holds for an acknowledgement of a task that finishes afterwards on that channel.

``config/celery.py`` makes kombu raise ``redis.exceptions.ConnectionError`` instead (a closed
transport is a lost connection): the close ignores it, Celery logs a late acknowledgement as
"Couldn't ack", and the worker reconnects. Nothing is lost: on a restarted Redis the messages
are gone anyway and the sweep re-queues their versions; on a Redis that kept them, they come
back after the visibility timeout and the idempotent task finds its version validated.

Here the sequence is played on a private Redis, deterministically, instead of waited for.
"""

from __future__ import annotations

import logging

import pytest
import redis
from kombu import Connection, Consumer, Queue

from tests.reliability.conftest import PrivateRedis

pytestmark = pytest.mark.integration


def broker_lost_while_polling(server: PrivateRedis) -> tuple[Connection, list]:
    """A worker's connection as Celery's ``collect()`` left it in the failing run: a message
    delivered and unacknowledged, the channel still open, its transport closed; Redis back
    (empty); ``close()`` still to come."""
    import config.celery  # noqa: F401  (the platform's guard)

    connection = Connection(server.url)
    channel = connection.default_channel
    queue = Queue("orphan", channel=channel)
    queue.declare()
    connection.Producer(channel).publish({"n": 1}, routing_key="orphan")
    delivered: list = []
    Consumer(channel, queues=[queue], no_ack=False,
             callbacks=[lambda body, message: delivered.append(message)]).consume()
    connection.drain_events(timeout=5)
    assert len(delivered) == 1
    server.stop()
    connection._do_close_transport()  # step 2: the transport closed, the channel not
    assert not channel.closed and channel.connection.client is None
    server.start()
    return connection, delivered


def test_closing_the_connection_after_the_broker_restarted_does_not_raise(
        private_redis: PrivateRedis) -> None:
    connection, _delivered = broker_lost_while_polling(private_redis)
    connection.close()  # AttributeError: 'NoneType' object has no attribute 'hostname' before


def test_a_late_acknowledgement_is_logged_not_raised(private_redis: PrivateRedis,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    connection, delivered = broker_lost_while_polling(private_redis)
    connection.close()
    message = delivered[0]
    with pytest.raises(redis.exceptions.ConnectionError):
        message.ack()
    logger = logging.getLogger("celery.worker.request")
    with caplog.at_level(logging.CRITICAL, logger="celery.worker.request"):
        message.ack_log_error(logger, connection.connection_errors)  # what Celery calls
    assert any("Couldn't ack" in r.getMessage() for r in caplog.records)
