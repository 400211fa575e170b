#!/usr/bin/python3
"""A local SMTP server for the mail tests (Debian's python3-aiosmtpd).

Keeps every message it accepts as DIR/NNNNN.eml (the envelope recipients first, as X-Rcpt
lines, then the login the client authenticated with, as an X-Auth-User line), and writes
DIR/ready once listening. With --refuse it answers every recipient with 451 (a temporary
refusal), so that the sender must back off and retry. With --cert and --key it requires STARTTLS
before anything else; with --user and --password it requires SMTP authentication (PLAIN or
LOGIN, only over TLS when TLS is on) and answers 535 to any other login.
"""
import argparse
import itertools
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


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
            if session.authenticated:
                out.write(b"X-Auth-User: " + session.auth_data.login + b"\r\n")
            if session.ssl:
                out.write(b"X-Tls: yes\r\n")
            out.write(envelope.original_content)
        os.rename(name + ".tmp", name)
        return "250 2.0.0 Message accepted"


class Accounts:
    """Accepts exactly one login and password."""

    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == self.user
              and auth_data.password == self.password)
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse", action="store_true")
    parser.add_argument("--cert", help="PEM certificate: STARTTLS required")
    parser.add_argument("--key", help="PEM private key of --cert")
    parser.add_argument("--user", help="SMTP AUTH required with this login")
    parser.add_argument("--password", default="")
    args = parser.parse_args()
    options = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        options.update(tls_context=context, require_starttls=True)
    if args.user:
        options.update(authenticator=Accounts(args.user, args.password), auth_required=True,
                       auth_require_tls=bool(args.cert))
    controller = Controller(Keep(args.dir, args.refuse), hostname="127.0.0.1", port=args.port, **options)
    controller.start()
    open(os.path.join(args.dir, "ready"), "w").close()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
