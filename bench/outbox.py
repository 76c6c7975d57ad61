"""Outbox bench: N messages queued with otklik.mail.queue_message and sent by send_due to a local aiosmtpd sink,
against the floor, bare smtplib sending N prepared messages over one connection to the same sink, in the same run.

    python bench/outbox.py --count 20000 --json bench/outbox.json [--db sqlite:////tmp/outbox.db]

The invitations bench of issue 19 (bench/invitations.py) adds the invitation step on top of this path.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import smtplib
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import bench_app, ensure_database  # noqa: E402

TEXT = "Здравствуйте! Министерство просит оценить качество услуги. Ссылка: https://otklik.example/i/TOKEN\n" * 5


def floor(count: int, url_port: int) -> float:
    """Seconds for bare smtplib to send `count` prepared messages over one connection."""
    messages = []
    for i in range(count):
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "otklik@bench.example", f"p{i}@example.org", "Приглашение"
        msg.set_content(TEXT)
        messages.append(msg)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", url_port) as conn:
        for msg in messages:
            conn.send_message(msg)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--db", default=None, help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    db_url = args.db or f"sqlite:///{tempfile.mkdtemp(prefix='outbox-bench-')}/bench.db"
    ensure_database(db_url)
    os.environ.setdefault("OTKLIK_INSTANCE_DIR", tempfile.mkdtemp(prefix="outbox-bench-instance-"))
    app = bench_app(db_url)
    from flask_migrate import upgrade

    from otklik.extensions import db
    from otklik.mail import queue_message
    from otklik.mail.sending import send_due
    from otklik.mail.sink import MailSink

    sink = MailSink(keep=False).start()
    app.config.update(SMTP_URL=sink.url, MAIL_FROM="otklik@bench.example", MAIL_SEND_ON_COMMIT=False)
    with app.app_context():
        upgrade(revision="heads")
        db.session.execute(db.text("DELETE FROM outbound_message"))
        db.session.commit()
        start = time.perf_counter()
        for i in range(args.count):
            queue_message(to=f"p{i}@example.org", subject="Приглашение", text=TEXT, purpose="bench",
                          erase_address_after_send=True)
            if i % 1000 == 999:
                db.session.commit()
        db.session.commit()
        queued_s = time.perf_counter() - start
        start = time.perf_counter()
        outcome = send_due()
        send_s = time.perf_counter() - start
    received = sink.count
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the measured path's peak, before the floor
    floor_s = floor(args.count, sink.port)
    sink.stop()
    result = {"count": args.count, "database": db_url.split(":", 1)[0], "queue_seconds": round(queued_s, 2),
              "send_seconds": round(send_s, 2), "sent": outcome.sent, "received": received,
              "rate_per_s": round(args.count / send_s, 1), "floor_seconds": round(floor_s, 2),
              "floor_rate_per_s": round(args.count / floor_s, 1),
              "ratio_to_floor": round((args.count / send_s) / (args.count / floor_s), 2),
              "peak_rss_mb": round(rss_mb, 1)}
    print(f"outbox: {args.count} sent in {send_s:.1f}s ({result['rate_per_s']}/s; floor {result['floor_rate_per_s']}/s,"
          f" ratio {result['ratio_to_floor']}), queued in {queued_s:.1f}s, peak RSS {rss_mb:.0f} MB")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
