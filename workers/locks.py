"""A Redis lock with a TTL (SET key token NX PX): at most one holder, even across workers, and a
crashed holder frees it when the TTL runs out. Release and extend only if still ours."""

from __future__ import annotations

import secrets

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""

PREFIX = "qh:lock:"


class RedisLock:
    def __init__(self, redis, name: str, ttl_ms: int) -> None:
        self.redis = redis
        self.key = PREFIX + name
        self.ttl_ms = int(ttl_ms)
        self.token = secrets.token_hex(8)
        self.held = False

    async def acquire(self) -> bool:
        self.held = bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))
        return self.held

    async def extend(self) -> bool:
        if not self.held:
            return False
        self.held = bool(await self.redis.eval(_EXTEND, 1, self.key, self.token, self.ttl_ms))
        return self.held

    async def release(self) -> None:
        if self.held:
            self.held = False
            try:
                await self.redis.eval(_RELEASE, 1, self.key, self.token)
            except Exception:  # the TTL frees it anyway
                pass

    async def __aenter__(self) -> RedisLock:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.release()
