"""Web pages, one blueprint per audience."""
from flask import Flask


def register_web(app: Flask) -> None:
    from .ack import bp as ack_bp
    from .auth_views import bp as auth_bp
    from .consultant import bp as consultant_bp
    from .coordinator import bp as coordinator_bp
    from .case_page import bp as case_page_bp
    from .cases import bp as cases_bp
    from .errors import register_error_pages
    from .health import bp as health_bp
    from .privacy import bp as privacy_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(case_page_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(ack_bp)
    app.register_blueprint(coordinator_bp)
    app.register_blueprint(consultant_bp)
    app.register_blueprint(privacy_bp)
    register_error_pages(app)
    from ..access.audit import register_refusal_audit

    register_refusal_audit(app)  # every refused request (403/404) by a signed-in user, API and pages
    app.context_processor(_labels)
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale
    from .labels import CATEGORIES

    app.jinja_env.filters["category_label"] = lambda code: CATEGORIES.get(code, code)
    from .formatting import register_formatting

    register_formatting(app)


def _labels():
    from . import formatting, labels

    from ..notifications.email import FOLLOW_UP_KINDS
    from .case_forms import CONTACT_KINDS, END_REASONS, LOCATIONS, PLACEMENT_TYPES

    words = {c.value: c.label for c in (*CONTACT_KINDS, *LOCATIONS, *PLACEMENT_TYPES)}

    return {"PHASES": labels.PHASES, "ROLES": labels.ROLES, "FOLLOW_UP_KINDS": FOLLOW_UP_KINDS,
            "PARTIES": labels.PARTIES, "EVENTS": labels.EVENTS, "WORDS": words,
            "END_REASONS": {c.value: c.label for c in END_REASONS},
            "ADJUSTMENTS": formatting.ADJUSTMENTS, "PROFILE_LABELS": formatting.PROFILE_LABELS,
            "DISCLOSURE": formatting.DISCLOSURE}
