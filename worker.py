"""Start an RQ worker bound to the app, or the scheduler.

    python worker.py              # a worker on the app's queue (forks a work horse per job)
    python worker.py --burst      # work until the queue is empty, then exit
    python worker.py scheduler    # the one scheduler: enqueues the tick every OTKLIK_TICK_SECONDS

Run one scheduler only: RQ's CronScheduler keeps its schedule in memory without a lock; a second one would
only double the ticks, and the database unique key (tenant, kind, period) still stops double analyses.
"""

from __future__ import annotations

import argparse
import logging
import time

from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue, Worker
from rq.cron import CronJob, CronScheduler
from rq.serializers import JSONSerializer

from otklik import create_app
from otklik.extensions import db
from otklik.jobs import get_queue, redis_connection


class JsonCronJob(CronJob):
    """RQ's CronJob enqueues with the default (pickle) serializer; our workers read JSON only."""

    def enqueue(self, connection):
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        job = queue.enqueue(self.func, args=self.args, kwargs=self.kwargs, **self.job_options)
        connection.zadd(self.job_history_key, {job.id: job.enqueued_at.timestamp()})
        return job


class JsonCronScheduler(CronScheduler):
    def register(self, func, queue_name, interval=None, **kwargs):
        job = JsonCronJob(queue_name=queue_name, func=func, interval=interval, **kwargs)
        self._cron_jobs.append(job)
        return job


def wait_for_redis(connection, seconds: int = 60) -> None:
    """The embedded set-up starts Redis beside the worker: wait for it instead of crashing."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection.ping()
            return
        except RedisConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", choices=["worker", "scheduler"], default="worker")
    parser.add_argument("--burst", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = create_app()
    connection = redis_connection(app)
    wait_for_redis(connection)
    if args.mode == "scheduler":
        from otklik.jobs import tick

        cron = JsonCronScheduler(connection=connection, name="otklik-scheduler")
        cron.register(tick, app.config["RQ_QUEUE"], interval=app.config["TICK_SECONDS"])
        cron.start()
        return
    with app.app_context():
        db.engine.dispose()  # no connection of the parent is shared with a forked work horse
    worker = Worker([get_queue(app)], connection=connection, serializer=JSONSerializer)
    worker.work(burst=args.burst, with_scheduler=True)


if __name__ == "__main__":
    main()
