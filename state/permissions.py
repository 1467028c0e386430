"""Every event handler declares what it needs: `@requires("order.accept")` or `@view_only`.

    @rx.event
    @requires("order.accept")
    async def accept(self, order_id: int): ...

`requires` resolves the signed-in user before the handler runs and refuses (a toast, nothing
changed) when their role lacks the permission, whatever the page showed: a button forced visible
in the browser reaches this check too. `view_only` marks a handler that only changes what this tab
shows (a dialog opening, a tab switch) and touches no data. tests/state/test_permissions.py fails
for any handler with neither, so a new handler cannot slip past.
"""

from __future__ import annotations

import functools
import inspect

import reflex as rx
from reflex.istate.proxy import StateProxy

from qihang_app.domain.permissions import KEYS
from qihang_app.services.scope import ScopeError
from state.auth import NotLoggedIn, checked_actor, current_actor, refuse
from state.marks import PERMISSION_ATTR, view_only  # noqa: F401  (states import both from here)


async def _refusal(state: rx.State, permission: str):
    """None when the user may go on; otherwise what the tab is told (login page or a toast)."""
    try:
        if isinstance(state, StateProxy):  # a background handler: state is readable only inside the lock
            async with state:
                actor = await current_actor(state)
        else:
            actor = await current_actor(state)
        if not actor.can(permission):
            raise ScopeError(f"缺少权限 {permission}", f"lacks {permission}")
    except (NotLoggedIn, ScopeError) as exc:
        return await refuse(state, exc)
    return None, actor


def requires(permission: str):
    """The handler runs only for a user whose role holds `permission` (domain/permissions.py)."""
    if permission not in KEYS:
        raise ValueError(f"unknown permission {permission!r}: add it to domain/permissions.py")

    def wrap(fn):
        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def stream(self, *args, **kwargs):
                answer = await _refusal(self, permission)
                if not isinstance(answer, tuple):
                    yield answer
                    return
                async for item in fn(self, *args, **kwargs):
                    yield item

            wrapper = stream
        else:

            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                answer = await _refusal(self, permission)
                if not isinstance(answer, tuple):
                    return answer
                if isinstance(self, StateProxy):  # a background loop re-resolves the user itself
                    return await fn(self, *args, **kwargs)
                with checked_actor(self, answer[1]):  # the handler's own lookup reuses it
                    result = fn(self, *args, **kwargs)
                    return await result if inspect.isawaitable(result) else result

        setattr(wrapper, PERMISSION_ATTR, permission)
        return wrapper

    return wrap
