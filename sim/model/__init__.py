"""The regime model: agents, decisions, conflict, events, outcomes."""
