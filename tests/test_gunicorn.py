"""The gunicorn that serves `web`, started as the Dockerfile starts it."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.processes import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_responses_do_not_name_the_server(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    argv = [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    try:
        headers = None
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                headers = {name.lower() for name, _ in response.getheaders()}
                break
            except OSError:
                time.sleep(0.1)
        assert headers is not None, "gunicorn did not answer"
        assert response.status == 200
        assert "server" not in headers
    finally:
        server.terminate()
        server.wait(timeout=10)
