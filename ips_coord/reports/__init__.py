"""Caseload, outcomes and fidelity figures for the coordinator (DESIGN section 6)."""
