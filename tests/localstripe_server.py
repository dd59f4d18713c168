"""Run localstripe, the Stripe emulator used in development and tests, on 127.0.0.1.

localstripe (GPL-3.0-or-later) is a test and development tool: it runs as its own process
and is never imported by the product. Its stock command listens on all interfaces and
pickles its store to a fixed /tmp file that clashes between instances; this launcher binds
to loopback and keeps the store in memory, or in the file given with --store.

    python -m tests.localstripe_server --port 8420 [--store instance/localstripe.pickle]
"""

import argparse
import os
import pickle

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--store", default=None, help="pickle file; default: memory only")
    args = parser.parse_args()

    def load(self):
        if args.store and os.path.exists(args.store):
            with open(args.store, "rb") as fh:
                self.clear()
                self.update(pickle.load(fh))  # noqa: S301 - our own dev-only file

    def dump(self):
        if args.store:
            tmp = f"{args.store}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump(dict(self), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, args.store)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.store.try_load_from_disk()
    web.run_app(app, host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
