"""A worker's pool process freezes what it inherits (config/celery.py)."""

import gc

from celery.signals import worker_process_init


def test_a_pool_process_freezes_what_it_inherited():
    gc.unfreeze()
    try:
        worker_process_init.send(sender=None)
        assert gc.get_freeze_count() > 0
    finally:
        # This process is the test run, not a pool process: its objects go back to the
        # collector.
        gc.unfreeze()
