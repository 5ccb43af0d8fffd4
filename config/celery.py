import gc
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("handwritten")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def freeze_inherited(**kwargs: object) -> None:
    """A pool process keeps what it inherits from the worker (Django, the apps) as long
    as it lives: frozen, the cycle collector no longer walks those 100k objects. A 100k
    build spent 0.14-0.19 s in full collections walking them and 0.01 s once frozen; the
    build took 2.62-3.03 s against 2.39-2.77 s (in-process, run in turn, 4 rounds)."""
    gc.freeze()
