"""The coordinator's figures beside the quarterly rates: time to the first job and how long jobs
last (per team or per consultant), and what the programme saves the municipality."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms.validators import NumberRange, Optional

from ..access.audit import shows_no_citizen_data
from ..clock import local_today
from ..extensions import db
from ..i18n import translate
from ..models import User
from ..reports.economics import BENEFIT_RATES, DEFAULTS, Assumptions, economics
from ..reports.progress import svg_lines
from ..reports.tenure import DEFINITIONS, time_and_tenure
from ..workflows.phases import Role
from . import spreadsheet
from .coordinator import _report_consultant
from .forms import DecimalNumberField, SafeForm, WholeNumberField
from .guards import roles_only

bp = Blueprint("figures", __name__, url_prefix="/coordinator/figures")


bp.before_request(roles_only({Role.COORDINATOR}))


def _figures():
    consultant = _report_consultant()
    return consultant, time_and_tenure(
        current_user.organisation_id, local_today(), consultant_id=consultant.id if consultant else None
    )


@bp.get("/time-and-tenure")
@shows_no_citizen_data  # aggregates of the team or of one consultant's cases
def time_and_tenure_page():
    consultant, figures = _figures()
    labels = [str(d) for d in figures["curve_days"]]
    charts = {
        "first_start": svg_lines(
            [(_("Started a job or education"), "#0b5cad", figures["first_start"]["curve"])],
            labels,
            _("Share started, by days since enrolment (percent)"),
            low=0,
            high=100,
        ),
        "tenure": svg_lines(
            [(_("Still in the job"), "#0b5cad", figures["tenure"]["curve"])],
            labels,
            _("Share still in the job, by days since the start (percent)"),
            low=0,
            high=100,
        ),
    }
    consultants = db.session.scalars(
        select(User)
        .where(User.role == Role.IPS_CONSULTANT, User.organisation_id == current_user.organisation_id)
        .order_by(User.name)
    ).all()
    from ..services.network import citizens_with_network

    involved, enrolled = citizens_with_network(current_user.organisation_id)  # a count, never who
    return render_template(
        "figures_tenure.html",
        figures=figures,
        charts=charts,
        consultant=consultant,
        consultants=consultants,
        definitions=DEFINITIONS,
        involved=involved,
        enrolled=enrolled,
    )


def _tenure_table():
    _consultant, f = _figures()
    first, tenure, starts, hours = f["first_start"], f["tenure"], f["starts"], f["hours"]
    rows = [
        [translate(first["definition"].name), _("Citizens enrolled"), first["citizens"]],
        [translate(first["definition"].name), _("Started"), first["started"]],
        [translate(first["definition"].name), _("Median days"), first["median_days"]],
        *[
            [translate(first["definition"].name), _("Share started within %(days)s days (percent)", days=d), v]
            for d, v in first["share_within"].items()
        ],
        [translate(tenure["definition"].name), _("Jobs"), tenure["jobs"]],
        [translate(tenure["definition"].name), _("Still running"), tenure["running"]],
        [translate(tenure["definition"].name), _("Median days"), tenure["median_days"]],
        *[
            [translate(tenure["definition"].name), _("Share still in the job after %(days)s days (percent)", days=d), v]
            for d, v in tenure["still_in_job"].items()
        ],
        [translate(starts["definition"].name), _("Job starts in the last 12 months"), starts["starts"]],
        [translate(starts["definition"].name), _("Citizens who started a job"), starts["people"]],
        [translate(starts["definition"].name), _("Job starts per person"), starts["per_person"]],
        [translate(hours["definition"].name), _("Jobs running today"), hours["jobs"]],
        [translate(hours["definition"].name), _("Median hours per week"), hours["median"]],
        [translate(hours["definition"].name), _("Mean hours per week"), hours["mean"]],
    ]
    return [_("Figure"), _("Measure"), _("Value")], rows


@bp.get("/time-and-tenure.csv")
@shows_no_citizen_data  # aggregates
def time_and_tenure_csv():
    return spreadsheet.csv_response(f"forloeb-og-job-{local_today().isoformat()}.csv", *_tenure_table())


@bp.get("/time-and-tenure.xlsx")
@shows_no_citizen_data  # aggregates
def time_and_tenure_xlsx():
    return spreadsheet.xlsx_response(
        f"forloeb-og-job-{local_today().isoformat()}.xlsx", _("Time and tenure"), *_tenure_table()
    )


class AssumptionsForm(SafeForm):
    """The municipality's own figures; every one is optional and falls back to the default shown."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    consultant_cost_per_year = WholeNumberField(
        _l("A consultant's yearly cost (kr)"),
        validators=[Optional(), NumberRange(0, 5_000_000)],
        default=DEFAULTS.consultant_cost_per_year,
    )
    education_grant_per_month = WholeNumberField(
        _l("Student grant a month (kr)"),
        validators=[Optional(), NumberRange(0, 100_000)],
        default=DEFAULTS.education_grant_per_month,
    )
    flexjob_share = DecimalNumberField(
        _l("Share of the benefit a flexjob ends (percent)"),
        validators=[Optional(), NumberRange(0, 100)],
        places=0,
        default=round(DEFAULTS.flexjob_share * 100),
    )


for _key, _name, _words, _rate in BENEFIT_RATES:
    setattr(
        AssumptionsForm,
        f"rate_{_key}",
        WholeNumberField(
            _l("%(benefit)s a month (kr)", benefit=_l(_name)),
            validators=[Optional(), NumberRange(0, 100_000)],
            default=_rate,
        ),
    )


def _assumptions(form: AssumptionsForm) -> Assumptions:
    def value(name, default):
        field = form[name]
        return default if field.errors or field.data is None else field.data

    rates = {key: value(f"rate_{key}", DEFAULTS.rate(key)) for key, _n, _w, _r in BENEFIT_RATES}
    share = value("flexjob_share", None)
    return Assumptions(
        rates=rates,
        consultant_cost_per_year=value("consultant_cost_per_year", DEFAULTS.consultant_cost_per_year),
        education_grant_per_month=value("education_grant_per_month", DEFAULTS.education_grant_per_month),
        flexjob_share=float(share) / 100 if share is not None else DEFAULTS.flexjob_share,
    )


def _economics():
    form = AssumptionsForm(formdata=request.args if request.args else None)
    if request.args:
        form.validate()
    assumptions = _assumptions(form)
    return form, assumptions, economics(current_user.organisation_id, local_today(), assumptions)


@bp.get("/economics")
@shows_no_citizen_data  # aggregates of the team
def economics_page():
    form, assumptions, result = _economics()
    return render_template(
        "figures_economics.html", form=form, result=result, rates=BENEFIT_RATES, a=assumptions, defaults=DEFAULTS
    )


def _economics_table():
    """The page's figures and every assumption behind them, as rows (kroner as whole numbers)."""
    _form, a, r = _economics()
    rows: list[list[object]] = [
        [translate(name), a.rate(key), r["by_kind"][key]["months"], r["by_kind"][key]["saving"]]
        for key, name, _w, _r in BENEFIT_RATES
    ]
    rows += [
        [_("Benefits saved"), None, r["benefit_months"], r["saving"]],
        [_("Programme cost (%(n)s consultants)", n=r["consultants"]), None, None, -r["cost"]],
        [_("Net"), None, None, r["net"]],
        [_("Citizens served"), None, None, r["served"]],
        [_("Net per citizen served"), None, None, r["net_per_person"]],
        [_("A consultant's yearly cost (kr)"), a.consultant_cost_per_year, None, None],
        [_("Student grant a month (kr)"), a.education_grant_per_month, None, None],
        [_("Share of the benefit a flexjob ends (percent)"), round(100 * a.flexjob_share), None, None],
    ]
    return [_("Benefit"), _("Rate a month (kr)"), _("Months in work or education"), _("Saved (kr)")], rows


@bp.get("/economics.csv")
@shows_no_citizen_data  # aggregates
def economics_csv():
    return spreadsheet.csv_response(f"hvad-ips-sparer-{local_today().isoformat()}.csv", *_economics_table())


@bp.get("/economics.xlsx")
@shows_no_citizen_data  # aggregates
def economics_xlsx():
    return spreadsheet.xlsx_response(
        f"hvad-ips-sparer-{local_today().isoformat()}.xlsx", _("What IPS saves"), *_economics_table()
    )
