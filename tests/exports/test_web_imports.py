"""The web process never loads pyarrow: only a build's Parquet format does."""

import os
import re
import subprocess
import sys

from django.conf import settings


def test_loading_every_url_leaves_pyarrow_unloaded():
    script = (
        "import django, sys; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "import exports.views, exports.building;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyarrow'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_only_the_parquet_writer_imports_pyarrow():
    importers = sorted(
        str(path.relative_to(settings.BASE_DIR))
        for app in ("config", "annotation", "review", "exports", "people")
        for path in (settings.BASE_DIR / app).rglob("*.py")
        if re.search(r"^\s*(import|from)\s+pyarrow\b", path.read_text(), re.MULTILINE)
    )
    assert importers == ["exports/formats/parquet.py"]
