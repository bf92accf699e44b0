"""Who may see and change what. Decided at read time from role and relation to the case."""
from .policy import case_filter, relation_to_case, visible_case_or_404

__all__ = ["case_filter", "relation_to_case", "visible_case_or_404"]
