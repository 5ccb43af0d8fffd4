"""`celery worker` with every dolly.jsonl row slowed down, so a test can kill it mid-build.

Usage: python tests/exports/slow_worker.py SECONDS_PER_ROW <celery worker arguments...>
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from celery.__main__ import main  # noqa: E402

from exports.formats.dolly import Dolly  # noqa: E402

DELAY = float(sys.argv.pop(1))
real_write = Dolly.write


def slow_write(self, block):
    time.sleep(DELAY * len(block))
    return real_write(self, block)


Dolly.write = slow_write  # forked pool processes inherit the patch
sys.argv[0] = "celery"
sys.exit(main())
