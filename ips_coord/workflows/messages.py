"""Human messages for refusals, in Danish and English.

Kept here (not in gettext catalogues) because the workflow core has no Flask import and
the API returns them to clients that pick their own language.
"""

REFUSALS: dict[str, tuple[str, str]] = {
    "unknown_event": ("Ukendt hændelse.", "Unknown event."),
    "event_not_allowed_in_phase": (
        "Det kan ikke lade sig gøre i forløbets nuværende fase.",
        "That is not possible in the case's current phase.",
    ),
    "role_not_allowed": (
        "Din rolle kan ikke ændre forløbets fase.",
        "Your role cannot change the case's phase.",
    ),
    "close_reason_not_allowed": (
        "Nul-eksklusion: et forløb afsluttes ikke for udeblivelser, symptomer, misbrug, "
        "'ikke klar' eller et mistet job. Kun borgerens eget valg, fraflytning, dødsfald eller "
        "overgang til et andet tilbud kan afslutte forløbet.",
        "Zero exclusion: a case is not closed for missed appointments, symptoms, substance use, "
        "'not ready' or a lost job. Only the citizen's own choice, moving away, death or transfer "
        "to another service can close it.",
    ),
    "close_reason_required": ("Angiv en afslutningsårsag.", "Give a reason for closing."),
    "not_competitive_employment": (
        "Ordinær beskæftigelse: virksomhedspraktik, løntilskud og beskyttet arbejde er trin på vejen, "
        "ikke et job. Registrér dem som trin, og start et job når borgeren får ordinært arbejde.",
        "Competitive employment: internships, wage subsidy and sheltered work are steps, not a job. "
        "Record them as steps and start a job when the citizen gets ordinary work.",
    ),
    "education_type_required": (
        "En uddannelsesstart skal være ordinær uddannelse.",
        "An education start must be ordinary education.",
    ),
    "psychiatry_contact_required": (
        "Integration med behandling: angiv borgerens kontaktperson i psykiatrien før opstart.",
        "Integration with treatment: name the citizen's psychiatry contact before enrolment.",
    ),
    "review_required": (
        "Hold og registrér opfølgningsmødet efter jobophør, før jobsøgningen genoptages.",
        "Hold and record the job-ending review before resuming the job search.",
    ),
    "end_reason_required": ("Angiv hvorfor jobbet eller uddannelsen sluttede.", "Say why the job or education ended."),
    "resume_date_required": (
        "En pause skal have en planlagt dato for genoptagelse.",
        "A pause needs a planned resume date.",
    ),
    "resume_date_in_past": ("Datoen for genoptagelse skal ligge efter i dag.", "The resume date must be after today."),
    "start_date_required": ("Angiv startdato.", "Give the start date."),
    "start_before_enrolment": (
        "Startdatoen ligger før borgeren blev indskrevet i IPS.",
        "The start date is before the citizen was enrolled in IPS.",
    ),
    # Psychiatry in the course of treatment (ips_coord.workflows.treatment).
    "already_admitted": (
        "Borgeren er allerede registreret som indlagt. Registrér udskrivningen først.",
        "The citizen is already recorded as admitted. Record the discharge first.",
    ),
    "not_admitted": ("Borgeren er ikke registreret som indlagt.", "The citizen is not recorded as admitted."),
    "case_not_active": (
        "Forløbet er afsluttet. Genoptag det, før der registreres en indlæggelse.",
        "The case has ended. Re-enter it before recording an admission.",
    ),
    "date_in_future": ("Datoen kan ikke ligge efter i dag.", "The date cannot be after today."),
    "discharge_before_admission": (
        "Udskrivningen kan ikke ligge før indlæggelsen.",
        "The discharge cannot be before the admission.",
    ),
    # A running job's hours or pay (ips_coord.workflows.treatment.change_terms).
    "no_running_job": ("Borgeren har ikke et job i gang.", "The citizen has no job running."),
    "no_change": ("Angiv de nye timer eller den nye løn.", "Give the new hours or the new pay."),
}


def text(table: dict[str, tuple[str, str]], code: str, locale: str = "da") -> str:
    da, en = table[code]
    return en if locale == "en" else da
