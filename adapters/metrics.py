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
            "The newest readable global position (an order, not a count: ADR 0013).",
            registry=self.registry,
        )
        self.relay_lag = Gauge(
            "phoenix_relay_lag_positions",
            "Events the relay has yet to publish (counted up to 100,000).",
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            "phoenix_consumer_lag_positions",
            "Events each store-tailing consumer (projection, relay) has yet to read (up to 100,000).",
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
        # Phoenix's KPIs (README "Monitoring"): each experiment's measured figures per variant,
        # from its results, for the newest experiments (KPI_EXPERIMENTS of them).
        variant = ["experiment", "variant"]
        self.series_reduction = Gauge(
            "phoenix_pipeline_cardinality_reduction_ratio",
            "A candidate's distinct-series reduction against the baseline (0.7 = 70% fewer).",
            variant,
            registry=self.registry,
        )
        self.critical_retained = Gauge(
            "phoenix_pipeline_critical_processes_retained_ratio",
            "Of the baseline's comparable critical processes, the share a candidate kept.",
            variant,
            registry=self.registry,
        )
        self.monthly_cost = Gauge(
            "phoenix_estimated_monthly_cost_usd",
            "A variant's estimated backend cost per month at the measured rate, in USD.",
            variant,
            registry=self.registry,
        )
        self.ingested_per_minute = Gauge(
            "phoenix_metrics_ingested_per_minute",
            "Datapoints a variant delivered per minute over its observation window.",
            variant,
            registry=self.registry,
        )
        self.series = Gauge(
            "phoenix_pipeline_series",
            "Distinct series a variant delivered over its observation window.",
            variant,
            registry=self.registry,
        )
        self.collector_cpu = Gauge(
            "phoenix_collector_cpu_usage_cores",
            "CPU a candidate's busiest collector used over the window, in cores.",
            variant,
            registry=self.registry,
        )
        self.collector_memory = Gauge(
            "phoenix_collector_memory_usage_bytes",
            "Resident memory of a candidate's busiest collector, in bytes.",
            variant,
            registry=self.registry,
        )
        self.experiments = Gauge(
            "phoenix_experiments",
            "Experiments by phase.",
            ["phase"],
            registry=self.registry,
        )
        self.verdicts = Gauge(
            "phoenix_candidate_verdicts",
            "Candidates of the newest experiments by verdict (promote, reject, inconclusive).",
            ["verdict"],
            registry=self.registry,
        )
        # What the alert rules (deploy/monitoring) watch beside the spine's health.
        experiment = ["experiment"]
        self.phase_entered = Gauge(
            "phoenix_experiment_phase_entered_timestamp_seconds",
            "When each unfinished experiment entered the phase it is in (Unix time).",
            ["experiment", "phase"],
            registry=self.registry,
        )
        self.window_ends = Gauge(
            "phoenix_experiment_window_end_timestamp_seconds",
            "When each running experiment's observation window ends (Unix time).",
            experiment,
            registry=self.registry,
        )
        self.cpu_budget = Gauge(
            "phoenix_experiment_collector_cpu_budget_cores",
            "The CPU a running experiment allows each collector (its success criteria), in cores.",
            experiment,
            registry=self.registry,
        )
        self.memory_budget = Gauge(
            "phoenix_experiment_collector_memory_budget_bytes",
            "The resident memory a running experiment allows each collector, in bytes.",
            experiment,
            registry=self.registry,
        )
        self.guardrail_trips = Gauge(
            "phoenix_guardrail_trips",
            "Experiments among the newest failed ones that a guardrail stopped.",
            registry=self.registry,
        )
