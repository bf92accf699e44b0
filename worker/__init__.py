"""Celery entry point: `celery -A worker worker` and `celery -A worker beat`.

The Flask app is created here (and only here) so tasks get their app context without
importing the app themselves.
"""
from ips_coord.devserver import app_or_exit

flask_app = app_or_exit()
celery_app = flask_app.extensions["celery"]
app = celery_app  # `celery -A worker` looks for `app` or `celery`
