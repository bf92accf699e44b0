"""WSGI entry point for gunicorn: `gunicorn ips_coord.wsgi:app`."""
from .devserver import app_or_exit

app = app_or_exit()
