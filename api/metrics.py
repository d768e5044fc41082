"""Prometheus metrics served on /metrics."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "hdnd_http_requests_total", "HTTP requests answered.", ["path", "method", "status"]
)
HTTP_DURATION = Histogram(
    "hdnd_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["path"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_FLIGHT = Gauge("hdnd_http_requests_in_flight", "HTTP requests being answered now.")
GRAPHQL_OPERATIONS = Counter(
    "hdnd_graphql_operations_total",
    "GraphQL operations by type and by who asked.",
    ["operation_type", "viewer"],
)
ERRORS = Counter(
    "hdnd_errors_total",
    "Errors answered, by code (UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED, GRAPHQL_VALIDATION_FAILED…).",
    ["code"],
)

KNOWN_PATHS = frozenset({"/graphql", "/healthz", "/readyz", "/metrics"})


def path_label(path: str) -> str:
    """The path as a label; anything else is one label, so scans cannot explode the series."""
    return path if path in KNOWN_PATHS else "other"


OUTBOX_DELIVERIES = Counter(
    "hdnd_outbox_deliveries_total",
    "Notification delivery attempts by channel and outcome (delivered, retried, dead, skipped, "
    "postponed: quiet hours).",
    ["channel", "outcome"],
)
OUTBOX_SECONDS = Histogram(
    "hdnd_outbox_delivery_seconds",
    "Time one delivery attempt took.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OUTBOX_PENDING = Gauge(
    "hdnd_outbox_pending", "Notifications waiting for delivery (as the worker last counted)."
)
