from tests.ingest_support import redis_url  # noqa: F401  (a flushed Redis database of its own)
from tests.services.conftest import world  # noqa: F401
