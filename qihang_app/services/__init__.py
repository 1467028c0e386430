"""Use cases: the only layer that combines the database with the domain.

Conventions (every module here follows them):

- One function per use case. The SQLModel `Session` is the first positional argument, everything
  else is keyword-only: `create_store(session, actor=actor, name="...")`.
- Services never commit. They `flush()` when they need generated ids; the caller owns the
  transaction (`qihang_app.db.session_scope()` commits on success and rolls back on exception).
  Everything one use case writes (rows, OrderEvents, OutboxMessages) lands in one transaction.
- Refusals raise: `ScopeError` (PermissionError) for store scope or role, `NotFoundError`
  (LookupError), `ConflictError` / `ValidationError` (ValueError). Nothing is left half-written
  because the caller rolls back. A refusal a person reads names a message key and its parameters
  (`ValidationError(key="stores.err.name_required")`, catalog in qihang_app/i18n_services.py);
  the page shows it in the reader's language.
  The one exception is `auth.login`: it returns a `LoginResult` instead of raising, so the
  throttling counters of a failed login are committed by the caller like any success.
- Functions acting for a person take `actor: Actor` and check scope themselves; functions for
  workers (e.g. `stores.get_shop_credentials`, `system.record_heartbeat`) take no actor.
- Rows for the UI are small frozen dataclasses holding no secrets.
"""

# Its session listeners keep the report rollups equal to the orders on every commit that
# changes an order, whichever service made the change.
from .reports import rollups as _report_rollups  # noqa: E402, F401
