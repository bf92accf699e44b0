"""Unbound extensions, bound to an app in create_app (flaskbb style)."""

from typing import TYPE_CHECKING, Any

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import CursorResult, MetaData, Result
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are deterministic on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
# The models' base class. At run time it is Flask-SQLAlchemy's db.Model (built from Base); a
# type checker cannot follow that attribute, so it sees Base and with it every typed column.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()

# Login throttling; storage is Redis when REDIS_URL is set (shared by all web workers).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed (Session.execute is typed as a plain Result)."""
    return result.rowcount if isinstance(result, CursorResult) else 0
