"""Prometheus metrics: requests by route and status with latency, job queue, event feed."""

import time
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class CommittedEvent(Protocol):
    occurred_at: datetime


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tillpoint_http_requests_total",
            "HTTP requests by route template, method and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tillpoint_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.job_queue_depth = Gauge(
            "tillpoint_job_queue_depth", "Jobs due and waiting to run.", registry=self.registry
        )
        self.job_queue_oldest_age = Gauge(
            "tillpoint_job_queue_oldest_age_seconds",
            "How long the oldest due job has waited.",
            registry=self.registry,
        )
        self.event_outbox_lag = Histogram(
            "tillpoint_event_outbox_lag_seconds",
            "Time from an event being recorded to its transaction committing (feed-visible).",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5),
            registry=self.registry,
        )
        self.events_appended = Counter(
            "tillpoint_events_appended_total",
            "Events appended to the outbox.",
            registry=self.registry,
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def observe_events(self, written: Sequence[CommittedEvent]) -> None:
        """Events a commit made visible: how many, and how long each waited for it."""
        if not written:
            return
        self.events_appended.inc(len(written))
        now = time.time()
        for event in written:
            self.event_outbox_lag.observe(max(0.0, now - event.occurred_at.timestamp()))
