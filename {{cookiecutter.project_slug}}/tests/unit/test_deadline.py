"""One deadline per invocation: each wait gets the smaller of its timeout and the time left."""

from collections.abc import Iterator

import pytest

from app import aws, deadline
from app.errors import DatabaseUnavailableError

from tests.conftest import REGION


def test_outside_an_invocation_the_timeouts_apply_alone() -> None:
    assert (deadline.time_left(), deadline.bounded(5.0), deadline.bounded(None)) == (None, 5.0, None)


def test_in_an_invocation_a_wait_gets_at_most_the_time_left_before_the_margin() -> None:
    with deadline.invocation(4_000):
        left = 4.0 - deadline.MARGIN
        assert left - 0.1 < deadline.time_left() <= left
        assert deadline.bounded(1.0) == 1.0
        assert left - 0.1 < deadline.bounded(5.0) <= left
        assert left - 0.1 < deadline.bounded(None) <= left
    assert deadline.time_left() is None


def test_past_the_deadline_no_time_is_left() -> None:
    with deadline.invocation(int(deadline.MARGIN * 1000) - 1):
        assert (deadline.time_left(), deadline.bounded(5.0)) == (0.0, 0.0)


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    aws.client.cache_clear()
    yield
    aws.client.cache_clear()


def client_limits(client: object) -> tuple[float, float, int]:
    config = client.meta.config
    return config.connect_timeout, config.read_timeout, config.retries["total_max_attempts"]


@pytest.mark.usefixtures("region")
def test_an_aws_call_with_time_for_all_its_attempts_uses_the_process_wide_client() -> None:
    with deadline.invocation(int((aws.LONGEST_CALL + deadline.MARGIN + 1) * 1000)):
        client = aws.client_within_deadline("secretsmanager")
    assert aws.client_within_deadline("secretsmanager") is client  # the same outside an invocation
    assert client_limits(client) == (aws.CONNECT_TIMEOUT, aws.READ_TIMEOUT, aws.MAX_ATTEMPTS)


@pytest.mark.usefixtures("region")
def test_an_aws_call_near_the_deadline_gets_one_attempt_within_the_whole_seconds_left() -> None:
    with deadline.invocation(int((3.5 + deadline.MARGIN) * 1000)):
        assert client_limits(aws.client_within_deadline("secretsmanager")) == (1.5, 1.5, 1)


@pytest.mark.usefixtures("region")
def test_an_aws_call_with_under_a_second_left_is_not_made() -> None:
    too_late = pytest.raises(DatabaseUnavailableError, match="no time left to call secretsmanager")
    with deadline.invocation(int((0.9 + deadline.MARGIN) * 1000)), too_late:
        aws.client_within_deadline("secretsmanager")
