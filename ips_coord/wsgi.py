"""WSGI entry point for gunicorn: `gunicorn ips_coord.wsgi:app`."""

from . import app_or_exit

app = app_or_exit()
