"""The circuit breaker around the directory, on a fake directory and the test clock."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.accounts import Account
from bot.directory.breaker import BreakerState, BreakingDirectory, DirectoryUnavailable
from bot.directory.port import DirectoryError, UnknownAccount
from bot.services import Services
from tests.conftest import SettableClock


class FakeDirectory:
    """Answers `find_account` with what `behaviour` says: None, or raises."""

    def __init__(self) -> None:
        self.calls = 0
        self.behaviour: Callable[[], Account | None] = lambda: None

    def find_account(self, login: str) -> Account | None:
        self.calls += 1
        return self.behaviour()

    def unlock(self, login: str) -> None:
        self.calls += 1
        raise UnknownAccount(login)


def down() -> Account | None:
    raise DirectoryError("LDAP find_account: cannot reach or bind to the directory (LDAPSocketReceiveError)")


@pytest.fixture
def fake() -> FakeDirectory:
    return FakeDirectory()


@pytest.fixture
def breaker(fake: FakeDirectory, clock: SettableClock) -> BreakingDirectory:
    return BreakingDirectory(fake, failures=3, open_seconds=30, clock=clock)  # type: ignore[arg-type]


def fail(breaker: BreakingDirectory, times: int) -> None:
    for _ in range(times):
        with pytest.raises(DirectoryError):
            breaker.find_account("lucas.martin")


def test_three_failures_in_a_row_open_it_and_calls_then_fail_without_reaching_the_directory(
    breaker: BreakingDirectory, fake: FakeDirectory, clock: SettableClock
) -> None:
    fake.behaviour = down
    fail(breaker, 3)
    assert breaker.state is BreakerState.OPEN and fake.calls == 3
    clock.advance(seconds=29)
    with pytest.raises(DirectoryUnavailable, match="not tried"):
        breaker.find_account("lucas.martin")
    assert fake.calls == 3


def test_an_answer_resets_the_count(breaker: BreakingDirectory, fake: FakeDirectory) -> None:
    fake.behaviour = down
    fail(breaker, 2)
    fake.behaviour = lambda: None
    assert breaker.find_account("lucas.martin") is None
    fake.behaviour = down
    fail(breaker, 2)
    assert breaker.state is BreakerState.CLOSED and fake.calls == 5


def test_an_unknown_account_is_an_answer_not_a_failure(breaker: BreakingDirectory, fake: FakeDirectory) -> None:
    for _ in range(5):
        with pytest.raises(UnknownAccount):
            breaker.unlock("personne.inconnue")
    assert breaker.state is BreakerState.CLOSED and fake.calls == 5


def test_after_the_pause_one_trial_closes_it_again(
    breaker: BreakingDirectory, fake: FakeDirectory, clock: SettableClock
) -> None:
    fake.behaviour = down
    fail(breaker, 3)
    clock.advance(seconds=30)
    assert breaker.state is BreakerState.HALF_OPEN
    fake.behaviour = lambda: None
    assert breaker.find_account("lucas.martin") is None
    assert breaker.state is BreakerState.CLOSED and fake.calls == 4


def test_a_failed_trial_opens_it_for_another_pause(
    breaker: BreakingDirectory, fake: FakeDirectory, clock: SettableClock
) -> None:
    fake.behaviour = down
    fail(breaker, 3)
    clock.advance(seconds=31)
    fail(breaker, 1)  # the trial
    assert fake.calls == 4 and breaker.state is BreakerState.OPEN
    clock.advance(seconds=29)
    fail(breaker, 1)
    assert fake.calls == 4
    clock.advance(seconds=1)
    fail(breaker, 1)
    assert fake.calls == 5


def test_while_the_trial_runs_other_calls_fail_fast(
    breaker: BreakingDirectory, fake: FakeDirectory, clock: SettableClock
) -> None:
    fake.behaviour = down
    fail(breaker, 3)
    clock.advance(seconds=30)
    during: list[str] = []

    def slow_answer() -> Account | None:
        with pytest.raises(DirectoryUnavailable, match="trial"):
            breaker.find_account("chloe.bernard")  # another turn, while the trial waits on the server
        during.append("refused")
        return None

    fake.behaviour = slow_answer
    assert breaker.find_account("lucas.martin") is None
    assert during == ["refused"] and fake.calls == 4 and breaker.state is BreakerState.CLOSED


def test_a_defect_changes_nothing_and_frees_the_trial(
    breaker: BreakingDirectory, fake: FakeDirectory, clock: SettableClock
) -> None:
    def defect() -> Account | None:
        raise KeyError("bug")

    fake.behaviour = down
    fail(breaker, 3)
    clock.advance(seconds=30)
    fake.behaviour = defect
    with pytest.raises(KeyError):
        breaker.find_account("lucas.martin")
    assert breaker.state is BreakerState.HALF_OPEN
    fake.behaviour = lambda: None
    assert breaker.find_account("lucas.martin") is None and breaker.state is BreakerState.CLOSED


def test_a_school_named_by_a_user_is_found_through_the_breaker(services: Services, clock: SettableClock) -> None:
    """In production the LDAP directory sits behind the breaker: naming one's school must reach it."""
    guarded = BreakingDirectory(services.directory, failures=3, open_seconds=30, clock=clock)
    found = guarded.find_establishments("lycée voltaire")
    assert [school.name for school in found] == [
        school.name for school in services.directory.find_establishments("lycée voltaire")
    ]
    assert found and found[0].name == "Lycée Voltaire"


def test_while_it_is_open_a_school_search_fails_fast(
    breaker: BreakingDirectory, fake: FakeDirectory, clock: SettableClock
) -> None:
    fake.behaviour = down
    fail(breaker, 3)
    with pytest.raises(DirectoryUnavailable, match="not tried"):
        breaker.find_establishments("lycée voltaire")
    assert fake.calls == 3
