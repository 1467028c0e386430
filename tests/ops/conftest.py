from tests.ingest_support import *  # noqa: F401,F403  (Redis of its own, sandbox, OMS routes, worker context)
