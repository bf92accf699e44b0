"""The one transaction idiom of the services (and so of the application's writes)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..extensions import db


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One transaction: committed at the end, rolled back on any error (nothing half-written)."""
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


__all__ = ["unit_of_work"]
