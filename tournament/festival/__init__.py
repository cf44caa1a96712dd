"""The festival side of X.PO: editions, library registrations, fiches-animation, the departmental
programme and the professional day. Models and services only (no web code)."""
