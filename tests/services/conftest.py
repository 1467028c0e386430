from __future__ import annotations

import pytest

from .factories import World, build_world


@pytest.fixture
def world(session) -> World:
    return build_world(session)
