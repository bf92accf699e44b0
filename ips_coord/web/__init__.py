"""Web pages, one blueprint per audience."""

from flask import Flask

from .. import labels
from .formatting import Words


def register_web(app: Flask) -> None:
    from .account import bp as account_bp
    from .ack import bp as ack_bp
    from .admin import bp as admin_bp
    from .auth_views import bp as auth_bp
    from .case_page import bp as case_page_bp
    from .cases import bp as cases_bp
    from .citizen import bp as citizen_bp
    from .consultant import bp as consultant_bp
    from .coordination import bp as coordination_bp
    from .coordinator import bp as coordinator_bp
    from .employers import bp as employers_bp
    from .fidelity_reviews import bp as fidelity_reviews_bp
    from .figures import bp as figures_bp
    from .guides import bp as guides_bp
    from .health import bp as health_bp
    from .inbox import bp as inbox_bp
    from .network import bp as network_bp  # also adds the citizen's network page to the citizen's view
    from .plan_views import bp as plan_bp
    from .privacy import bp as privacy_bp
    from .search import bp as search_bp
    from .sector_pages import bp as sector_pages_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(case_page_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(ack_bp)
    app.register_blueprint(coordinator_bp)
    app.register_blueprint(figures_bp)  # time to the first job, job tenure, what IPS saves
    app.register_blueprint(fidelity_reviews_bp)  # IPS-25 reviews by two reviewers, and their action plans
    app.register_blueprint(guides_bp)  # the IPS team's conversation guides
    app.register_blueprint(coordination_bp)  # the case's coordinating professional (tovholder)
    app.register_blueprint(network_bp)  # the citizen's network on a case, for the IPS team
    app.register_blueprint(consultant_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(employers_bp)
    app.register_blueprint(citizen_bp)  # the citizen's own view: a session kind of its own
    app.register_blueprint(plan_bp)  # the shared plan's forms on the case page
    app.register_blueprint(account_bp)  # the user's own account, calendar feed, forgotten password
    app.register_blueprint(admin_bp)  # the admin role: users, organisations, personal API tokens
    app.register_blueprint(inbox_bp)  # each staff user's in-app inbox, and the menu's unread count
    from .assignment import bp as assignment_bp

    app.register_blueprint(assignment_bp)  # the coordinator's queue of referrals: assign, reassign, move
    app.register_blueprint(sector_pages_bp)  # admissions, the jobcenter's workspace, treatment-team meetings
    from .admin_integrations import bp as admin_integrations_bp

    app.register_blueprint(admin_integrations_bp)  # the admin's service tokens, webhooks, delivery log
    app.register_blueprint(search_bp)  # find a citizen from the header of every page
    from ..access.audit import register_refusal_audit

    register_refusal_audit(app)  # every refused request (403/404) by a signed-in user, API and pages
    app.context_processor(_labels)
    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale
    from ..clock import utcnow

    app.jinja_env.globals["utcnow"] = utcnow  # the print note's time (print.css)
    from .case_sections import autofocus_once, is_open

    app.jinja_env.globals.update(is_open=is_open, autofocus_once=autofocus_once)
    app.jinja_env.filters["category_label"] = lambda code: labels.CATEGORIES.get(code, code)
    from ..i18n import translate

    app.jinja_env.filters["t"] = translate  # a Text from reports/ or services/, in the page's language
    from .formatting import register_formatting

    register_formatting(app)  # Danish dates, times (Copenhagen) and numbers; codes in words


def _labels() -> dict[str, Words]:
    """The labels tables, each translated once per distinct word in a rendering (see Words)."""
    return {
        name: Words(table)
        for name, table in (
            ("PHASES", labels.PHASES),
            ("ROLES", labels.ROLES),
            ("FOLLOW_UP_KINDS", labels.FOLLOW_UP_KINDS),
            ("PARTIES", labels.PARTIES),
            ("EVENTS", labels.EVENTS),
            ("WORDS", labels.WORDS),
            ("END_REASONS", labels.END_REASONS),
            ("CONTACT_PURPOSES", labels.CONTACT_PURPOSES),
            ("ADJUSTMENTS", labels.ADJUSTMENTS),
            ("PROFILE_LABELS", labels.PROFILE_FIELDS),
            ("DISCLOSURE", labels.DISCLOSURES),
            ("ORG_KINDS", labels.ORG_KINDS),
            ("BENEFIT_KINDS", labels.BENEFIT_KINDS),
            ("TOKEN_STATES", labels.TOKEN_STATES),
            ("DECISION_OUTCOMES", labels.DECISION_OUTCOMES),
            ("REFERRAL_REASONS", labels.REFERRAL_REASONS),
        )
    }
