"""UI words for the domain's codes (DESIGN section 9), translated by Flask-Babel."""
from flask_babel import lazy_gettext as _l

PHASES = {
    "referred": _l("Referred"),
    "engagement": _l("Engagement"),
    "job_search": _l("Job search"),
    "employed": _l("Employed"),
    "in_education": _l("In education"),
    "job_ended": _l("Job ended"),
    "paused": _l("Paused"),
    "transitioned": _l("Transitioned to natural supports"),
    "closed": _l("Closed"),
}
ROLES = {
    "ips_consultant": _l("IPS consultant"),
    "psychiatry": _l("Clinician"),
    "jobcenter": _l("Caseworker"),
    "coordinator": _l("Coordinator"),
    "admin": _l("Admin"),
}
