"""Phoenix's Prometheus metrics, in a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, disable_created_metrics

# The *_created series double every counter and no dashboard of ours reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "phoenix_commands",
            "Commands handled, by type and outcome (accepted, rejected, duplicate).",
            ["type", "outcome"],
            registry=self.registry,
        )
        self.events_appended = Counter(
            "phoenix_events_appended",
            "Events appended by the command worker.",
            registry=self.registry,
        )
        self.head_position = Gauge(
            "phoenix_event_store_head_position",
            "The newest global position.",
            registry=self.registry,
        )
        self.relay_lag = Gauge(
            "phoenix_relay_lag_positions",
            "Positions the relay has yet to publish.",
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            "phoenix_consumer_lag_positions",
            "Positions each store-tailing consumer (projection, relay) is behind the head.",
            ["consumer"],
            registry=self.registry,
        )
        self.bus_pending = Gauge(
            "phoenix_bus_consumer_pending",
            "Messages a durable JetStream consumer has not yet acknowledged.",
            ["consumer"],
            registry=self.registry,
        )
        self.dead_letters = Gauge(
            "phoenix_dead_letters_open",
            "Dead letters not yet re-driven, by consumer.",
            ["consumer"],
            registry=self.registry,
        )
