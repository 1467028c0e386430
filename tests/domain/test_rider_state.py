"""The rider-state ordering rule: repeats and any arrival order give one state; never backwards
except by a reassignment before pickup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from qihang_app.domain.platform_order import DeliveryStatus as S
from qihang_app.domain.rider_state import FINAL, RANK, fold, moved_back, winner

T0 = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Fix:
    status: S
    at: datetime | None = None
    rider_name: str = ""
    rider_phone: str = ""
    lat: float | None = None
    lng: float | None = None
    reassigned: bool = False


fixes = st.builds(
    Fix,
    status=st.sampled_from(list(S)),
    at=st.one_of(st.none(), st.integers(0, 3600).map(lambda s: T0 + timedelta(seconds=s))),
    rider_name=st.sampled_from(["", "王师傅", "李师傅"]),
    rider_phone=st.sampled_from(["", "13800001111"]),
    lat=st.one_of(st.none(), st.floats(31.0, 31.5)),
    lng=st.one_of(st.none(), st.floats(121.0, 121.5)),
)
plain = fixes  # reassigned=False by default
flagged = fixes.map(lambda f: Fix(f.status, f.at, f.rider_name, f.rider_phone, f.lat, f.lng, reassigned=True))


@given(st.lists(plain, min_size=1, max_size=12), st.randoms())
def test_any_arrival_order_gives_the_same_state(updates, rnd):
    shuffled = list(updates)
    rnd.shuffle(shuffled)
    assert fold(shuffled) == fold(updates)


@given(st.lists(plain, min_size=1, max_size=12), st.randoms())
def test_repeats_change_nothing(updates, rnd):
    repeated = updates + [rnd.choice(updates) for _ in range(len(updates))]
    assert fold(repeated) == fold(updates)


@given(st.lists(st.one_of(plain, flagged), min_size=1, max_size=12))
def test_the_stage_never_goes_back_except_by_a_reassignment_before_pickup(updates):
    state = None
    for update in updates:
        after = winner(state, update)
        if moved_back(state, after):
            assert after is update and update.reassigned
            assert RANK[state.status] <= RANK[S.AT_STORE] and state.status not in FINAL
        state = after


@given(plain, st.lists(st.one_of(plain, flagged), max_size=8))
def test_a_final_state_only_gives_way_to_a_higher_one(final, later):
    start = Fix(S.DELIVERED if final.status is S.DELIVERED else S.CANCELLED, final.at)
    state = fold([start, *later])
    assert state.status in FINAL
    assert RANK[state.status] >= RANK[start.status]


def test_a_late_accept_after_pickup_is_ignored():
    picked = Fix(S.DELIVERING, T0 + timedelta(minutes=9), "王师傅")
    late = Fix(S.RIDER_ACCEPTED, T0 + timedelta(minutes=2), "王师傅")
    assert winner(picked, late) is picked


def test_a_position_refresh_at_the_same_stage_is_taken_when_newer():
    old = Fix(S.DELIVERING, T0, "王师傅", lat=31.20, lng=121.40)
    new = Fix(S.DELIVERING, T0 + timedelta(seconds=30), "王师傅", lat=31.21, lng=121.41)
    assert winner(old, new) is new and winner(new, old) is new


def test_a_reassignment_brings_a_new_rider_back_to_accepted():
    at_store = Fix(S.AT_STORE, T0 + timedelta(minutes=5), "王师傅")
    other = Fix(S.RIDER_ACCEPTED, T0 + timedelta(minutes=6), "李师傅", reassigned=True)
    assert winner(at_store, other) is other
    stale = Fix(S.RIDER_ACCEPTED, T0 + timedelta(minutes=1), "李师傅", reassigned=True)
    assert winner(at_store, stale) is at_store  # older than what we know
    picked = Fix(S.DELIVERING, T0 + timedelta(minutes=7), "王师傅")
    assert winner(picked, Fix(S.RIDER_ACCEPTED, T0 + timedelta(minutes=8), "李师傅", reassigned=True)) is picked
