"""NATS JetStream adapters: streams, the bus, reliable durable consumers."""
