"""Celery entry point: `celery -A worker worker` and `celery -A worker beat`.

The Flask app is created here (and only here) so tasks get their app context without
importing the app themselves.
"""

from celery.signals import worker_process_init

from ips_coord import app_or_exit
from ips_coord.extensions import db

flask_app = app_or_exit()
celery_app = flask_app.extensions["celery"]
app = celery_app  # `celery -A worker` looks for `app` or `celery`


@worker_process_init.connect
def _dispose_inherited_connections(**_kwargs):
    # A forked child must not share the parent's database sockets.
    with flask_app.app_context():
        db.engine.dispose(close=False)
