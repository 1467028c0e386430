"""Imported at start-up by every Python process the browser tests launch (tests/e2e/conftest.py
puts this folder on PYTHONPATH): registers the test-only platforms those tests drive, so the app
and the worker know them as they know the real ones. Nothing here runs outside the browser tests."""

import os
import sys

if os.environ.get("QH_E2E_TEST_PLATFORMS") == "1":
    try:
        from integrations import registry
        from tests.oauth_support import Adapter

        registry.register(Adapter())
    except Exception as exc:  # the process still starts; the test that needs the platform fails
        print(f"e2e test platforms not registered: {exc!r}", file=sys.stderr)
