"""flask commands: demo data, organisations, staff users, API tokens."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from .auth import create_token, hash_password
from .extensions import db
from .models import Organisation, User
from .services import ServiceError, accounts
from .workflows.phases import OrgKind, Role


@click.command("demo")
@with_appcontext
@click.option("--seed", default=2026, show_default=True, help="Same seed, same data.")
@click.option("--citizens", default=120, show_default=True)
def demo(seed: int, citizens: int):
    """Seed synthetic demo data (safe to run twice)."""
    from .demo import DEMO_PASSWORD, seed_demo

    created, logins = seed_demo(seed=seed, citizens=citizens)
    click.echo("Demo data created." if created else "Demo data already present; nothing added.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, role in logins:
        click.echo(f"  {role:15} {email}")


org_group = AppGroup("organisation", help="Organisations: IPS teams, jobcenters, psychiatry, national.")


@org_group.command("create")
@click.argument("name")
@click.option(
    "--kind",
    required=True,
    type=click.Choice([k.value for k in OrgKind]),
    help="national: a national coordinator there sees the country overview, no cases.",
)
@click.option("--municipality")
def org_create(name, kind, municipality):
    """Add an organisation (staff are added to it with `user create --organisation`)."""
    try:
        org = accounts.create_organisation(name, kind, municipality)
    except ServiceError as exc:
        raise click.UsageError(exc.message) from None
    click.echo(f"Created {kind} {org.name}.")


user_group = AppGroup("user", help="Staff users.")


@user_group.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--organisation", "organisation", help="Name of an existing organisation.")
@click.option("--locale", default="da", type=click.Choice(["da", "en"]))
@click.password_option()
def user_create(email, name, role, organisation, locale, password):
    """Add a staff user."""
    from .validation import password_problem

    email = email.strip().lower()
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.UsageError(f"A user with e-mail {email} already exists.")
    problem = password_problem(password)
    if problem:
        raise click.UsageError(problem)
    org_id = None
    if organisation:
        org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
        if org is None:
            raise click.UsageError(f"No organisation named {organisation!r}.")
        org_id = org.id
    try:
        accounts.create_user(
            email, name=name, role=role, organisation_id=org_id, locale=locale, password_hash=hash_password(password)
        )
    except ServiceError as exc:
        raise click.UsageError(exc.message) from None
    click.echo(f"Created {role} {email}.")


@click.command("export")
@with_appcontext
@click.argument("citizen_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout).")
@click.option("--reason", required=True, help="Why the export is made (recorded in the access log).")
def export(citizen_id, output, reason):
    """Everything held about one citizen as JSON (GDPR art. 15 access request)."""
    import json

    from .access.audit import audit_export
    from .access.export import export_citizen

    if len(reason.strip()) < 5:
        raise click.UsageError("State the reason for the export (at least 5 characters).")
    data = export_citizen(citizen_id)
    if data is None:
        raise click.UsageError(f"No citizen with id {citizen_id}.")
    audit_export(None, citizen_id, data, reason.strip())
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"Wrote {output}.", err=True)
    else:
        click.echo(text)


@user_group.command("link-subject")
@click.argument("email")
@click.argument("subject")
def user_link_subject(email, subject):
    """Link a staff user to their stable subject (`sub`) at the organisation's identity provider
    ("-" unlinks). Role and organisation then follow the provider's groups (STAFF_OIDC_GROUPS)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.UsageError(f"No user with e-mail {email}.")
    accounts.link_subject(user, None if subject == "-" else subject)
    click.echo(f"Linked {user.email}." if subject != "-" else f"Unlinked {user.email}.")


token_group = AppGroup("token", help="Personal API tokens.")


@token_group.command("create")
@click.argument("email")
@click.option("--name", default="cli", show_default=True)
def token_create(email, name):
    """Create an API token for a user; it is printed once."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.UsageError(f"No user with e-mail {email}.")
    token, row = create_token(user, name)
    click.echo(token)
    # On stderr, so TOKEN=$(flask token create ...) still captures the token alone.
    click.echo(f"Expires {row.expires_at.isoformat(timespec='seconds')} (API_TOKEN_DAYS).", err=True)


retention_group = AppGroup("retention", help="Retention: anonymise old closed cases, drop old log months.")


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="Only say what would be done.")
def retention_run(dry_run):
    """Anonymise citizens whose cases all closed more than RETENTION_CLOSED_CASE_YEARS ago, and
    drop access-log months older than ACCESS_LOG_RETENTION_MONTHS (settled notifications after
    NOTIFICATION_RETENTION_MONTHS)."""
    from flask import current_app

    from .clock import utcnow
    from .services import retention

    config = current_app.config
    report = retention.run(
        utcnow(),
        dry_run=dry_run,
        closed_case_years=config["RETENTION_CLOSED_CASE_YEARS"],
        access_log_months=config["ACCESS_LOG_RETENTION_MONTHS"],
        notification_months=config["NOTIFICATION_RETENTION_MONTHS"],
    )
    verb = "Would" if report.dry_run else "Did"
    click.echo(
        f"{verb} anonymise {report.citizens} citizens ({report.cases} cases) whose cases all closed "
        f"before {report.closed_before.date().isoformat()}."
    )
    click.echo(
        f"{verb} drop {report.access_log_rows} access-log rows from before "
        f"{report.access_log_before.date().isoformat()}" + ("." if not report.access_log_months else ":")
    )
    for month, rows in report.access_log_months:
        click.echo(f"  {month}: {rows}")
    click.echo(
        f"{verb} drop {report.notifications} settled notifications from before "
        f"{report.notifications_before.date().isoformat()}."
    )


cpr_group = AppGroup("cpr", help="The CPR numbers at rest.")


@cpr_group.command("rotate")
@with_appcontext
def cpr_rotate() -> None:
    """Re-seal every CPR number under the first key of CPR_KEYS (after putting a new key first)."""
    from .services.identity import rotate_cpr_keys

    click.echo(f"Re-sealed {rotate_cpr_keys()} CPR numbers under the first key.")


def register_cli(app: Flask) -> None:
    for command in (demo, org_group, user_group, export, token_group, retention_group, cpr_group):
        app.cli.add_command(command)
