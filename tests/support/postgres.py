"""A throwaway PostgreSQL cluster for tests: the product's server (bot/cluster/postgres.py) in a temporary directory.

`throwaway_cluster` initdb's into a new temporary directory, starts on a free port and
removes everything after; durability is switched off, the data lives only as long as
the test session.
"""

from bot.cluster.postgres import Cluster, PostgresError, server_bindir, throwaway_cluster

__all__ = ["Cluster", "PostgresError", "server_bindir", "throwaway_cluster"]
