"""Apply decisions to the stored case record, each in ONE transaction."""

from .errors import Conflict, Forbidden, NotFound, ServiceError, Unprocessable, WorkflowRefused

__all__ = ["Conflict", "Forbidden", "NotFound", "ServiceError", "Unprocessable", "WorkflowRefused"]
