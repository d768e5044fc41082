"""Competent agencies: the directory of agencies, forwarding petitions to them, their answers
and send-backs, and the per-agency table."""
