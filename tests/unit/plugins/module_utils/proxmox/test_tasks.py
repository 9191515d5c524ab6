# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The task waiter: UPID parsing, backoff, the three outcomes, one request per poll round."""

from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import (
    ProxmoxError,
    ProxmoxTaskFailed,
    ProxmoxTaskTimeout,
)
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.tasks import Backoff, TaskWaiter, parse_upid, task_ok

UPID1 = 'UPID:pve2:0003A1B2:0146D8E5:66F1A2B3:qmclone:9000:root@pam!ci:'
UPID2 = 'UPID:pve1:00001000:00002000:66F1A2B4:qmstart:101:root@pam:'


@pytest.mark.parametrize('upid,expected', [
    (UPID1, {'node': 'pve2', 'pid': 0x3A1B2, 'pstart': 0x146D8E5, 'starttime': 0x66F1A2B3, 'type': 'qmclone', 'id': '9000',
             'user': 'root@pam!ci'}),
    (UPID2, {'node': 'pve1', 'pid': 0x1000, 'pstart': 0x2000, 'starttime': 0x66F1A2B4, 'type': 'qmstart', 'id': '101',
             'user': 'root@pam'}),
])
def test_parse_upid(upid, expected):
    assert parse_upid(upid) == expected


@pytest.mark.parametrize('bad', ['', None, 'UPID:pve1:zz:1:2:qmstart:1:root@pam:', 'TASK:pve1:1:2:3:a:b:c:'])
def test_parse_upid_rejects(bad):
    with pytest.raises(ProxmoxError):
        parse_upid(bad)


@pytest.mark.parametrize('status,ok', [('OK', True), ('WARNINGS: 2', True), ('command failed', False), (None, False)])
def test_task_ok(status, ok):
    assert task_ok(status) is ok


def test_backoff_grows_to_maximum_and_resets():
    backoff = Backoff(initial=0.2, factor=2, maximum=1.0)
    assert [backoff.next() for unused in range(5)] == [0.2, 0.4, 0.8, 1.0, 1.0]
    backoff.reset()
    assert backoff.next() == 0.2


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeClient:
    """Tasks end at given clock times; counts requests per path."""

    def __init__(self, clock, ends, exit_status=None):
        self.clock = clock
        self.ends = ends
        self.exit_status = exit_status or {}
        self.calls = []

    def get(self, path, **params):
        self.calls.append(path)
        if path == '/cluster/tasks':
            out = []
            for upid, end in self.ends.items():
                entry = {'upid': upid, 'node': parse_upid(upid)['node']}
                if self.clock() >= end:
                    entry.update(status=self.exit_status.get(upid, 'OK'), endtime=1)
                out.append(entry)
            return out
        if path.endswith('/log'):
            return [{'n': i, 't': 'line %d' % i} for i in range(1, 31)] + [{'n': 31, 't': 'TASK ERROR: disk full'}]
        upid = path.split('/')[4]
        if self.clock() >= self.ends[upid]:
            return {'upid': upid, 'status': 'stopped', 'exitstatus': self.exit_status.get(upid, 'OK')}
        return {'upid': upid, 'status': 'running'}


def waiter(ends, exit_status=None):
    clock = FakeClock()
    client = FakeClient(clock, {u: clock.now + t for u, t in ends.items()}, exit_status)
    return TaskWaiter(client, clock=clock, sleep=clock.sleep), client, clock


def test_wait_success_uses_node_from_upid():
    wait, client, clock = waiter({UPID1: 3.0})
    status = wait.wait(UPID1, timeout=60)
    assert status['exitstatus'] == 'OK'
    assert set(client.calls) == {'/nodes/pve2/tasks/%s/status' % UPID1}
    assert 3.0 <= sum(clock.sleeps) < 5.0 and clock.sleeps[0] == 0.2


def test_wait_failure_carries_exitstatus_and_log_tail():
    wait = waiter({UPID1: 1.0}, {UPID1: 'disk full'})[0]
    with pytest.raises(ProxmoxTaskFailed) as info:
        wait.wait(UPID1, timeout=60)
    assert info.value.exitstatus == 'disk full'
    assert len(info.value.log_tail) == 20 and info.value.log_tail[-1] == 'TASK ERROR: disk full'
    assert not isinstance(info.value, ProxmoxTaskTimeout)


def test_wait_timeout_is_measured_on_the_clock():
    wait, clock = waiter({UPID1: 500.0})[::2]
    with pytest.raises(ProxmoxTaskTimeout) as info:
        wait.wait(UPID1, timeout=10)
    assert 10 <= clock.now - 100.0 < 13 and 'still running after 10 s' in str(info.value)


def test_many_tasks_one_request_per_round_and_pipelined_steps():
    wait, client, clock = waiter({UPID1: 2.0, UPID2: 6.0})
    order = []

    def flow(first, name):
        yield first
        order.append((name, clock.now - 100.0))
        yield 0.5
        return name

    results = wait.run({'a': flow(UPID1, 'a'), 'b': flow(UPID2, 'b')}, timeout=60)
    assert results == {'a': 'a', 'b': 'b'}
    # one request per round: /cluster/tasks while both run, the node's task status for the last one
    assert client.calls[0] == '/cluster/tasks' and all(c == '/cluster/tasks' or c.endswith('/status') for c in client.calls)
    assert len(client.calls) <= len(clock.sleeps) + 3     # a poll per sleep, plus one after each finished task
    assert order[0][0] == 'a' and order[0][1] < 3.0, 'a must go on while b still runs'


def test_parallel_limit():
    wait = waiter({UPID1: 1.0, UPID2: 1.0})[0]
    running = []
    peak = []

    def flow(upid):
        running.append(upid)
        peak.append(len(running))
        yield upid
        running.remove(upid)

    wait.run({'a': flow(UPID1), 'b': flow(UPID2)}, timeout=60, parallel=1)
    assert max(peak) == 1
