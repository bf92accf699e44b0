"""One name per idea in the stored values: the access log's parts, the change kinds, the case
events and the webhook statuses are renamed to the names the code now uses (and back).

- access_log.part: "phase_and_plan" -> "phase", "psychiatry_shared" -> "shared_health_info"
- change_log.kind, webhook_delivery.kind, webhook_endpoint.kinds: "shared_info" -> "shared_health_info"
- case_event.event: "transition" -> "handover_to_natural_supports" (a transition is any phase change)
- webhook_delivery.status "delivered" -> "sent" and its delivered_at -> sent_at (e-mail's word)
- the payload of a webhook not yet sent names the new kind and event (one already sent keeps
  what was sent)

The access log and the case events are append-only: like the retention run, this migration
admits its own updates with a history_override row that it deletes again in the same
transaction, so no other transaction ever sees the door open.

Revision ID: 0027_names
Revises: 0026_seeds_reminders
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0027_names"
down_revision = "0026_seeds_reminders"
branch_labels = None
depends_on = None

PARTS = {"phase_and_plan": "phase", "psychiatry_shared": "shared_health_info"}
CHANGE_KINDS = {"shared_info": "shared_health_info"}
EVENTS = {"transition": "handover_to_natural_supports"}
WEBHOOK_STATUSES = {"delivered": "sent"}
OVERRIDE_ID = 3  # 1: retention, 2: partitions

endpoints = sa.table("webhook_endpoint", sa.column("id", sa.Integer), sa.column("kinds", sa.JSON))
deliveries = sa.table(
    "webhook_delivery",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("status", sa.String),
    sa.column("payload", sa.JSON),
)


def _recode(table: str, column: str, mapping: dict[str, str]) -> None:
    """One statement per table: a single pass over a large table (the access log)."""
    params: dict[str, Any] = {}
    whens = []
    for n, (old, new) in enumerate(mapping.items()):
        whens.append(f"WHEN :old{n} THEN :new{n}")
        params |= {f"old{n}": old, f"new{n}": new}
    olds = ", ".join(f":old{n}" for n in range(len(mapping)))
    op.get_bind().execute(
        sa.text(f"UPDATE {table} SET {column} = CASE {column} {' '.join(whens)} END WHERE {column} IN ({olds})"), params
    )


def _payload(payload: dict[str, Any], kinds: dict[str, str], events: dict[str, str]) -> dict[str, Any]:
    data = dict(payload.get("data") or {})
    if data.get("kind") in kinds:
        data["kind"] = kinds[data["kind"]]
    if data.get("event") in events:
        data["event"] = events[data["event"]]
    kind, _dot, action = str(payload.get("type", "")).partition(".")
    return {**payload, "type": f"{kinds.get(kind, kind)}.{action}" if action else payload.get("type"), "data": data}


def _rename(
    parts: dict[str, str], kinds: dict[str, str], events: dict[str, str], statuses: dict[str, str], sent: str
) -> None:
    bind = op.get_bind()
    bind.execute(sa.text("INSERT INTO history_override (id, reason) VALUES (:id, 'names')"), {"id": OVERRIDE_ID})
    _recode("access_log", "part", parts)
    _recode("case_event", "event", events)
    bind.execute(sa.text("DELETE FROM history_override WHERE id = :id"), {"id": OVERRIDE_ID})
    _recode("change_log", "kind", kinds)
    _recode("webhook_delivery", "kind", kinds)
    _recode("webhook_delivery", "status", statuses)
    for row in bind.execute(sa.select(endpoints.c.id, endpoints.c.kinds)).all():
        if set(row.kinds or ()) & set(kinds):
            bind.execute(
                endpoints.update().where(endpoints.c.id == row.id).values(kinds=[kinds.get(k, k) for k in row.kinds])
            )
    # Not yet sent: it will go out with today's names. Sent: it stays what was sent.
    for row in bind.execute(sa.select(deliveries.c.id, deliveries.c.payload).where(deliveries.c.status != sent)).all():
        new = _payload(row.payload or {}, kinds, events)
        if new != row.payload:
            bind.execute(deliveries.update().where(deliveries.c.id == row.id).values(payload=new))


def _flip(mapping: dict[str, str]) -> dict[str, str]:
    return {new: old for old, new in mapping.items()}


def upgrade():
    _rename(PARTS, CHANGE_KINDS, EVENTS, WEBHOOK_STATUSES, sent="sent")
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.alter_column("delivered_at", new_column_name="sent_at")


def downgrade():
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.alter_column("sent_at", new_column_name="delivered_at")
    _rename(_flip(PARTS), _flip(CHANGE_KINDS), _flip(EVENTS), _flip(WEBHOOK_STATUSES), sent="delivered")
