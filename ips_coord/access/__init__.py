"""Who may see and change what. Decided at read time from role, relation and live consent."""

from .guard import authorize
from .policy import PARTS, Access, access_for, case_filter, relation_to_case, visible_case_or_404

__all__ = ["PARTS", "Access", "access_for", "authorize", "case_filter", "relation_to_case", "visible_case_or_404"]
