"""Exit 0 when the PostgreSQL server in argv[1] (a postgres:// URL) answers, else 1."""

import sys

import psycopg


def main(url: str) -> int:
    server = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.Error:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
