"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives: the tests' relay, the bench's sink and,
with a directory, `make run`'s local mail catcher (one .eml file per message)."""

from __future__ import annotations

import argparse
import email
import socket
import threading
import time
from email.policy import compat32, default
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, sink: MailSink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        reply = self.sink.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.sink.received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        if self.sink.stop_after is not None and self.sink.count >= self.sink.stop_after:
            self.sink.stop_after = None
            threading.Thread(target=self.sink.stop, kwargs={'delay': 0.05}).start()
        return "250 Message accepted for delivery"


class MailSink:
    """`start()`, `stop()` (start again on the same port), `messages` (parsed, in order of arrival); `refuse` maps
    an address to the reply its RCPT gets ("550 ..." for a permanent refusal, "451 ..." for a temporary one);
    `directory`: also save each message there as NNNNNN.eml; `keep=False` only counts (the bench)."""

    def __init__(self, port: int | None = None, directory: str | Path | None = None, keep: bool = True):
        self.port = port or free_port()
        self.directory = Path(directory) if directory else None
        self.keep, self.count, self.messages, self.raw, self.refuse = keep, 0, [], [], {}
        self.stop_after: int | None = None  # stop the server (as a crash of the relay would) after this many
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def received(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> None:
        self.count += 1
        if self.keep:
            self.messages.append(email.message_from_bytes(content, policy=default))
            self.raw.append(email.message_from_bytes(content, policy=compat32))  # headers as sent, not decoded
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:06d}.eml").write_bytes(content)

    def start(self) -> MailSink:
        from aiosmtpd.controller import Controller

        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self, delay: float = 0) -> None:
        time.sleep(delay)  # stop_after: the reply to the last message goes out first
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def main() -> None:
    parser = argparse.ArgumentParser(description="Local mail catcher: every message saved under --dir as .eml")
    parser.add_argument("--dir", default="instance/mail")
    parser.add_argument("--port", type=int, default=8025)
    args = parser.parse_args()
    sink = MailSink(args.port, args.dir, keep=False).start()
    print(f"mail catcher on 127.0.0.1:{args.port}, messages saved in {args.dir}/", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        sink.stop()


if __name__ == "__main__":
    main()
