#!/usr/bin/python3
"""A local SMTP server for the mail tests (Debian's python3-aiosmtpd).

Keeps every message it accepts as DIR/NNNNN.eml (the envelope recipients first, as X-Rcpt
lines), and writes DIR/ready once listening. With --refuse it answers every recipient with
451 (a temporary refusal), so that the sender must back off and retry.
"""
import argparse
import itertools
import os
import signal
import threading

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, folder, refuse):
        self.folder = folder
        self.refuse = refuse
        self.numbers = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = os.path.join(self.folder, "%05d.eml" % next(self.numbers))
        with open(name + ".tmp", "wb") as out:
            for rcpt in envelope.rcpt_tos:
                out.write(b"X-Rcpt: " + rcpt.encode() + b"\r\n")
            out.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 Message accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse", action="store_true")
    args = parser.parse_args()
    controller = Controller(Keep(args.dir, args.refuse), hostname="127.0.0.1", port=args.port)
    controller.start()
    open(os.path.join(args.dir, "ready"), "w").close()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
