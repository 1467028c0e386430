from tests.ingest_support import redis_url  # noqa: F401  (a Redis database of the test's own)
