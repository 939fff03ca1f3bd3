"""Running work in real threads, each with its own database connection, released at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def run_together(calls, timeout=30):
    """Run each zero-argument callable in its own thread and connection, all released at once.

    Returns one outcome per call, in order: the return value or the exception raised.
    """
    barrier = threading.Barrier(len(calls))

    def worker(call):
        try:
            barrier.wait(timeout=timeout)
            return call()
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(worker, call) for call in calls]
        return [future.result(timeout=timeout) for future in futures]


def split(outcomes):
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    return [outcome for outcome in outcomes if not isinstance(outcome, Exception)], errors
