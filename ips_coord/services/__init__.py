"""Apply decisions to the stored case record, each in ONE transaction."""
from .errors import Conflict, NotFound, ServiceError, WorkflowRefused

__all__ = ["Conflict", "NotFound", "ServiceError", "WorkflowRefused"]
