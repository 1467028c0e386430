from tests.ingest_support import *  # noqa: F401,F403  (fixtures)
