from ..text import Text
from ..workflows import Refusal


def N_(message: str) -> str:
    """Marks a service message for the catalogue; pages show it translated, the API in English."""
    return message


class ServiceError(Exception):
    """A change the service refuses, with the field it is about.

    `message` is English (what the API and the logs show) and a `Text` that keeps its msgid and
    parameters, so the pages translate it at the view boundary (`ips_coord.i18n.translate`):
    services never import Flask-Babel. Every message has its Danish in the catalogue
    (tests/unit/test_service_messages.py)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, **params: object):
        text = Text(message, **params)
        super().__init__(text)
        self.message = text
        self.field = field


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Forbidden(ServiceError):
    """The actor may see the case but may not make this change (e.g. a consent from another party)."""

    status = 403
    code = "forbidden"


class Unprocessable(ServiceError):
    """Well-formed, but not something this operation records (e.g. a job start posted as a step)."""

    status = 422
    code = "unprocessable"


class Conflict(ServiceError):
    """The client's version is stale: someone else changed the case."""

    status = 409
    code = "stale_version"

    def __init__(self, current_version: int):
        super().__init__(N_("The case was changed by someone else; reload it and try again."), "version")
        self.current_version = current_version


class WorkflowRefused(ServiceError):
    status = 422
    code = "workflow_refused"

    def __init__(self, refusal: Refusal, locale: str = "da"):
        super().__init__(refusal.message(locale), refusal.field)
        self.refusal = refusal
