"""Competent agencies in GraphQL: the directory of agencies, their inbox, their answers and
send-backs, and the per-agency table."""
