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
    "privacy_officer": _l("Privacy officer"),
}
PARTIES = {"psychiatry": _l("Psychiatry"), "jobcenter": _l("Jobcenter"), "ips_team": _l("IPS team")}
CATEGORIES = {
    "symptoms": _l("Symptoms"),
    "coping_strategies": _l("Coping strategies"),
    "warning_signs": _l("Triggers and warning signs"),
    "medication_side_effects": _l("Medication side effects and changes"),
    "strengths": _l("Strengths"),
    "employment_progress": _l("Employment progress"),
    "benefit_facts": _l("Benefit-relevant facts"),
}
EVENTS = {
    "enrol": _l("Enrol"), "decline": _l("Citizen declines"), "start_search": _l("Start job search"),
    "start_job": _l("Start a job"), "start_education": _l("Start an education"), "end_job": _l("Job ended"),
    "end_education": _l("Education ended"), "resume_search": _l("Resume job search"),
    "transition": _l("Hand over to natural supports"), "pause": _l("Pause"), "resume": _l("Resume"),
    "close": _l("Close the case"), "re_enter": _l("Re-enter IPS"), "referred": _l("Referred"),
    "deviation": _l("Deviation"), "escalated": _l("Escalated"), "acknowledged": _l("Acknowledged"),
    "review_recorded": _l("Job-ending review"), "consent_recorded": _l("Consent recorded"),
    "consent_withdrawn": _l("Consent withdrawn"), "citizen_merged": _l("Merged with an earlier record"),
    "plan_goal_saved": _l("Goals saved"), "plan_action_added": _l("Plan action added"),
    "plan_action_done": _l("Plan action done"), "intervention_started": _l("Parallel intervention started"),
    "intervention_ended": _l("Parallel intervention ended"), "supports_changed": _l("Job supports changed"),
    "progress_rated": _l("Progress rated"), "citizen_note": _l("Note from the citizen"),
    "participation_agreed": _l("The citizen agreed to take part"), "citizen_invited": _l("Citizen invited"),
    "plan_changed": _l("Plan changed"),
}
