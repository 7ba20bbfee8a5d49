"""The production topology on one machine: several Rasa servers behind nginx, PostgreSQL and Redis.

`topology.start()` runs it (for `kundesenter cluster`, `make scale`, the fault tests and the
load benchmark); `deploy/` describes the same topology for docker compose and Kubernetes.
"""
