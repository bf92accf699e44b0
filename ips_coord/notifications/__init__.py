"""Outbox delivery: idempotent sending, email templates (da, en), acknowledge links."""
