"""Data and the rules that live with it: tables, queries and changes, one module per domain."""
