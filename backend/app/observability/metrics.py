"""The Prometheus metrics the app exports at /metrics (see infra/grafana).

One process: its own registry. Several workers on one port (app/cli_serve.py): a scrape reaches whichever worker
accepts it, so each keeps its samples in files under PROMETHEUS_MULTIPROC_DIR (set by serve before the workers
start) and /metrics adds up every worker's: counters and histograms summed, gauges as their mode says (live
workers only). The per-process process_*/python_* series are left out then: they describe one worker, not the app.
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")

REGISTRY = CollectorRegistry(auto_describe=True)
# The standard process_* (CPU, memory, open fds), python_gc_* and python_info series too.
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)

HTTP_REQUEST_DURATION = Histogram(
    "multidesk_http_request_duration_seconds",
    "HTTP request latency by route template, method and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
ORDERS_BY_STATUS = Counter(
    "multidesk_orders_status_total",
    "Order status changes, by the status the order moved to.",
    ["status"],
    registry=REGISTRY,
)
BATCH_DURATION = Histogram(
    "multidesk_batch_duration_seconds",
    "Time from a batch's first broker call until every row has an answer.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=REGISTRY,
)
BROKER_CALL_DURATION = Histogram(
    "multidesk_broker_call_duration_seconds",
    "Latency of one broker request (including the wait for a concurrency slot and the account throttle).",
    ["broker"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
BROKER_CALL_ERRORS = Counter(
    "multidesk_broker_call_errors_total",
    "Broker requests that raised, by broker and kind (timeout or the exception class).",
    ["broker", "kind"],
    registry=REGISTRY,
)
SOCKET_CONNECTIONS = Gauge(
    "multidesk_socket_connections",
    "Socket.IO connections open (on every live worker).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
PRICE_FRAMES_SENT = Counter(
    "multidesk_price_frames_sent_total",
    "prices frames queued on sockets (one per socket per flush that changed something it subscribes to).",
    registry=REGISTRY,
)
PRICE_QUOTES_SENT = Counter(
    "multidesk_price_quotes_sent_total",
    "Quotes carried by prices frames, counted per socket.",
    registry=REGISTRY,
)
PRICE_FRAMES_DEFERRED = Counter(
    "multidesk_price_frames_deferred_total",
    "prices frames a socket missed because its outgoing queue was full (its next frame carries them).",
    registry=REGISTRY,
)
BAR_LATE_TICKS_DROPPED = Counter(
    "multidesk_bar_late_ticks_dropped_total",
    "Ticks that arrived after their minute's candle was past the late grace (app/market/candles.py).",
    registry=REGISTRY,
)
BAR_UPDATES_EMITTED = Counter(
    "multidesk_bar_updates_emitted_total",
    "Candles carried by bars frames, counted per socket.",
    registry=REGISTRY,
)
BACKGROUND_JOB_RUNS = Counter(
    "multidesk_background_job_runs_total",
    "Runs of a periodic background job in this process (only the runner's count grows), by job and outcome.",
    ["job", "outcome"],
    registry=REGISTRY,
)
RUNNER = Gauge(
    "multidesk_runner",
    "Processes holding the runner lease and running the periodic background jobs (1 in the one that does; with "
    "several workers, their sum).",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "multidesk_rate_limited_total",
    "Requests refused by a rate limit or a login lockout, by limit.",
    ["limit"],
    registry=REGISTRY,
)


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    if MULTIPROCESS_DIR:
        workers = CollectorRegistry()
        multiprocess.MultiProcessCollector(workers, path=MULTIPROCESS_DIR)
        return generate_latest(workers), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def process_ended() -> None:
    """A worker stopping: its live gauges (open sockets, the runner) stop counting; its counters stay in the sums."""
    if MULTIPROCESS_DIR:
        multiprocess.mark_process_dead(os.getpid(), MULTIPROCESS_DIR)
