"""Caseload, outcomes and fidelity figures for the coordinator."""
