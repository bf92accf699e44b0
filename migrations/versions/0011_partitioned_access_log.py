"""The access log becomes a table partitioned by month on PostgreSQL (declarative partitioning
by created_at), so that retention drops old months whole. SQLite keeps a plain table.

Existing rows are copied into the new table (a large log takes a while: plan the upgrade); the
months present get their partitions, and the months ahead are created by the worker daily.

Revision ID: 0011_partitioned_access_log
Revises: 0010_retention
"""

from datetime import UTC, datetime

from alembic import op
from sqlalchemy import text

revision = "0011_partitioned_access_log"
down_revision = "0010_retention"
branch_labels = None
depends_on = None

INDEXES = (
    "CREATE INDEX ix_access_log_case_created ON access_log (case_id, created_at)",
    "CREATE INDEX ix_access_log_refused ON access_log (created_at) WHERE action = 'refused'",
)


def _months(first: datetime, last: datetime):
    index = first.year * 12 + first.month - 1
    while True:
        start = datetime(index // 12, index % 12 + 1, 1)
        if start > last:
            return
        end = datetime((index + 1) // 12, (index + 1) % 12 + 1, 1)
        yield start, end
        index += 1


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE access_log RENAME TO access_log_old")
    op.execute("ALTER INDEX pk_access_log RENAME TO pk_access_log_old")
    op.execute("ALTER INDEX ix_access_log_case_created RENAME TO ix_access_log_case_created_old")
    op.execute("ALTER INDEX ix_access_log_refused RENAME TO ix_access_log_refused_old")
    op.execute("ALTER TABLE access_log_old RENAME CONSTRAINT fk_access_log_case_id_ips_case TO fk_old_case")
    op.execute("ALTER TABLE access_log_old RENAME CONSTRAINT fk_access_log_user_id_staff_user TO fk_old_user")
    op.execute("""
        CREATE TABLE access_log (
            LIKE access_log_old INCLUDING DEFAULTS,
            CONSTRAINT pk_access_log PRIMARY KEY (id, created_at),
            CONSTRAINT fk_access_log_case_id_ips_case FOREIGN KEY (case_id) REFERENCES ips_case (id),
            CONSTRAINT fk_access_log_user_id_staff_user FOREIGN KEY (user_id) REFERENCES staff_user (id)
        ) PARTITION BY RANGE (created_at)
    """)
    # The id sequence now belongs to the new table (it would go with the old one).
    op.execute("ALTER SEQUENCE access_log_id_seq OWNED BY access_log.id")
    for statement in INDEXES:
        op.execute(statement)
    op.execute("CREATE TABLE access_log_default PARTITION OF access_log DEFAULT")
    now = datetime.now(UTC).replace(tzinfo=None)
    first = bind.execute(text("SELECT min(created_at) FROM access_log_old")).scalar() or now
    for start, end in _months(first, now):
        op.execute(
            f"CREATE TABLE access_log_p{start:%Y_%m} PARTITION OF access_log "
            f"FOR VALUES FROM ('{start:%Y-%m-%d}') TO ('{end:%Y-%m-%d}')"
        )
    op.execute("INSERT INTO access_log SELECT * FROM access_log_old")
    # Still append-only: the trigger on the partitioned table applies to every partition.
    op.execute(
        "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
        "FOR EACH ROW EXECUTE FUNCTION ips_append_only()"
    )
    op.execute("DROP TABLE access_log_old")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE access_log RENAME TO access_log_parted")
    op.execute("ALTER INDEX pk_access_log RENAME TO pk_access_log_parted")
    op.execute("ALTER INDEX ix_access_log_case_created RENAME TO ix_access_log_case_created_parted")
    op.execute("ALTER INDEX ix_access_log_refused RENAME TO ix_access_log_refused_parted")
    op.execute("ALTER TABLE access_log_parted RENAME CONSTRAINT fk_access_log_case_id_ips_case TO fk_p_case")
    op.execute("ALTER TABLE access_log_parted RENAME CONSTRAINT fk_access_log_user_id_staff_user TO fk_p_user")
    op.execute("""
        CREATE TABLE access_log (
            LIKE access_log_parted INCLUDING DEFAULTS,
            CONSTRAINT pk_access_log PRIMARY KEY (id),
            CONSTRAINT fk_access_log_case_id_ips_case FOREIGN KEY (case_id) REFERENCES ips_case (id),
            CONSTRAINT fk_access_log_user_id_staff_user FOREIGN KEY (user_id) REFERENCES staff_user (id)
        )
    """)
    op.execute("ALTER SEQUENCE access_log_id_seq OWNED BY access_log.id")
    for statement in INDEXES:
        op.execute(statement)
    op.execute("INSERT INTO access_log SELECT * FROM access_log_parted")
    op.execute(
        "CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log "
        "FOR EACH ROW EXECUTE FUNCTION ips_append_only()"
    )
    op.execute("DROP TABLE access_log_parted CASCADE")
