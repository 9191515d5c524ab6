# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import socket
import threading

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import wait
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import WaitFailedError, WaitTimeoutError


class FakeTime(object):
    """A clock that only moves when the code sleeps or a probe takes time."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def scripted_probe(fake, outcomes, cost=0.1):
    calls = []

    def probe(host, port, timeout, banner):
        calls.append((host, port, timeout))
        fake.now += cost
        return outcomes[min(len(calls), len(outcomes)) - 1]
    return probe, calls


def test_success_after_retries_with_backoff():
    fake = FakeTime()
    probe, calls = scripted_probe(fake, [(False, 'refused')] * 4 + [(True, None)])
    elapsed = wait.wait_for_banner('127.0.0.1', 2222, 60, clock=fake.clock, sleep=fake.sleep, probe=probe)
    assert len(calls) == 5
    assert fake.sleeps == [1.0, 2.0, 4.0, 5.0]
    assert elapsed == pytest.approx(12.5, abs=0.01)


def test_timeout_is_measured_by_the_clock_not_by_attempts():
    fake = FakeTime()
    probe, calls = scripted_probe(fake, [(False, 'connection closed without a banner')], cost=3.0)
    with pytest.raises(WaitTimeoutError) as err:
        wait.wait_for_banner('127.0.0.1', 2222, 20, clock=fake.clock, sleep=fake.sleep, probe=probe)
    assert 'timed out after 20s waiting for SSH on 127.0.0.1:2222' in str(err.value)
    assert 'last: connection closed without a banner' in str(err.value)
    assert err.value.details['attempts'] == len(calls)
    assert 20 <= err.value.details['elapsed'] <= 23
    # the last sleep never overshoots the deadline
    assert fake.now - 100.0 <= 23


def test_check_failure_is_not_a_timeout():
    fake = FakeTime()
    probe, calls = scripted_probe(fake, [(False, 'refused')])
    state = {'n': 0}

    def check():
        state['n'] += 1
        if state['n'] == 3:
            raise WaitFailedError('domain vm1 is stopped')

    with pytest.raises(WaitFailedError):
        wait.wait_for_banner('127.0.0.1', 2222, 300, check=check, clock=fake.clock, sleep=fake.sleep, probe=probe)
    assert len(calls) == 2


def test_poll_returns_early_and_times_out():
    fake = FakeTime()
    values = iter([False, False, True])
    assert wait.poll(lambda: next(values), 30, clock=fake.clock, sleep=fake.sleep) is True
    assert fake.sleeps == [0.5, 1.0]
    fake = FakeTime()
    assert wait.poll(lambda: False, 5, clock=fake.clock, sleep=fake.sleep) is False
    assert sum(fake.sleeps) == pytest.approx(5.0)


def _serve_once(payload):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(('127.0.0.1', 0))
    server.listen(1)

    def run():
        conn, _addr = server.accept()
        if payload:
            conn.sendall(payload)
        conn.close()
        server.close()
    thread = threading.Thread(target=run)
    thread.daemon = True
    thread.start()
    return server.getsockname()[1], thread


@pytest.mark.parametrize('payload, ok', [
    (b'SSH-2.0-OpenSSH_9.2\r\n', True),
    (b'HTTP/1.1 400 Bad Request\r\n', False),
    (b'', False),
])
def test_probe_banner_on_a_local_socket(payload, ok):
    port, thread = _serve_once(payload)
    result, error = wait.probe_banner('127.0.0.1', port, 2.0)
    thread.join(2)
    assert result is ok
    assert (error is None) is ok
