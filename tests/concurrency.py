"""Races with real threads: every thread has its own app context and database session."""

import threading

from marketplace.core.errors import DomainError
from marketplace.extensions import db as _db


def race(app, count, attempt):
    """Run ``attempt(i)`` in ``count`` threads at once; returns (ok, refused) index lists.
    Anything but a DomainError (a 500 in a view) is raised here."""
    ok, refused, failures = [], [], []
    barrier = threading.Barrier(count, timeout=60)
    lock = threading.Lock()

    def run(i):
        with app.app_context():
            try:
                prepared = attempt(i, None)
                # Hand the pooled connection back before waiting (as the checkout race does).
                _db.session.rollback()
                barrier.wait()
                try:
                    attempt(i, prepared)
                    _db.session.commit()
                    outcome = ok
                except DomainError:
                    _db.session.rollback()
                    outcome = refused
                with lock:
                    outcome.append(i)
            except BaseException as exc:  # surfaced below: a thread must not fail silently
                with lock:
                    failures.append(exc)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sorted(ok + refused) == list(range(count))
    return ok, refused
