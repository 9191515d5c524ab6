# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one task waiter of the collection.

A Proxmox VE write either answers at once or starts a task and returns its UPID. Work is written as
workflows: generators that yield a UPID (resume me when this task ends: the generator receives the
task status, or :class:`ProxmoxTaskFailed` is thrown into it) or a number (resume me after this many
seconds). :class:`TaskWaiter` runs many workflows at once: one status request per poll round
(``/cluster/tasks`` for several tasks, the node's task status for one), a monotonic clock, backoff,
and three distinct outcomes per task: success, failure (exit status and log tail), timeout.
"""

from __future__ import annotations

import time

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import (
    ProxmoxError,
    ProxmoxTaskFailed,
    ProxmoxTaskTimeout,
)

LOG_TAIL = 20


def parse_upid(upid):
    """``UPID:node:pid:pstart:starttime:type:id:user:`` -> dict (pid, pstart, starttime as ints)."""
    parts = str(upid).split(':')
    if len(parts) < 8 or parts[0] != 'UPID':
        raise ProxmoxError('not a task ID (UPID): %r' % (upid,))
    try:
        return {'node': parts[1], 'pid': int(parts[2], 16), 'pstart': int(parts[3], 16), 'starttime': int(parts[4], 16),
                'type': parts[5], 'id': parts[6], 'user': ':'.join(parts[7:]).rstrip(':')}
    except ValueError:
        raise ProxmoxError('not a task ID (UPID): %r' % (upid,))


def task_ok(exitstatus):
    return exitstatus == 'OK' or str(exitstatus).startswith('WARNINGS')


class Backoff:
    """Delays that grow from ``initial`` by ``factor`` up to ``maximum``; ``reset()`` starts again."""

    def __init__(self, initial=0.2, factor=1.5, maximum=2.0):
        self.initial, self.factor, self.maximum = initial, factor, maximum
        self.current = initial

    def next(self):
        delay = self.current
        self.current = min(self.maximum, self.current * self.factor)
        return delay

    def reset(self):
        self.current = self.initial


class TaskWaiter:
    def __init__(self, client, clock=time.monotonic, sleep=time.sleep, backoff=None):
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self.backoff = backoff or Backoff()

    # --- polling -------------------------------------------------------------------------------
    def poll(self, upids):
        """Statuses of the finished tasks among ``upids`` (one API request)."""
        upids = list(upids)
        if not upids:
            return {}
        if len(upids) == 1:
            node = parse_upid(upids[0])['node']
            status = self.client.get('/nodes/%s/tasks/%s/status' % (node, upids[0]))
            return {upids[0]: status} if status.get('status') == 'stopped' else {}
        wanted = set(upids)
        done = {}
        for entry in self.client.get('/cluster/tasks'):
            if entry.get('upid') in wanted and entry.get('status') is not None and entry.get('endtime') is not None:
                done[entry['upid']] = {'upid': entry['upid'], 'status': 'stopped', 'exitstatus': entry['status'],
                                       'node': entry.get('node')}
        return done

    def log_tail(self, upid, lines=LOG_TAIL):
        node = parse_upid(upid)['node']
        try:
            entries = self.client.get('/nodes/%s/tasks/%s/log' % (node, upid), start=0, limit=500)
        except ProxmoxError:
            return []
        return [e.get('t', '') for e in entries][-lines:]

    def outcome(self, status):
        """Raise ProxmoxTaskFailed for a finished task that did not succeed."""
        if not task_ok(status.get('exitstatus')):
            raise ProxmoxTaskFailed(status['upid'], status.get('exitstatus'), self.log_tail(status['upid']))
        return status

    # --- driving ---------------------------------------------------------------------------------
    def wait(self, upid, timeout):
        """Wait for one task; return its status or raise ProxmoxTaskFailed / ProxmoxTaskTimeout."""
        def single():
            status = yield upid
            return status
        results = self.run({'task': single()}, timeout)
        if isinstance(results['task'], Exception):
            raise results['task']
        return results['task']

    def run(self, workflows, timeout, parallel=None):
        """Run ``{key: generator}``; return ``{key: return value or the exception that ended it}``.

        ``timeout`` bounds each task (seconds from its start), ``parallel`` how many workflows run at once.
        """
        queue = list(workflows.items())
        active = {}              # key -> (generator, waiting_on) where waiting_on is ('task', upid, deadline) or ('time', at)
        results = {}
        resume = {}              # key -> value to send (or exception to throw)
        limit = parallel or len(queue) or 1

        def step(key, gen, value):
            try:
                if isinstance(value, BaseException):
                    wanted = gen.throw(value)
                else:
                    wanted = gen.send(value)
            except StopIteration as stop:
                results[key] = stop.value
                active.pop(key, None)
                return
            except ProxmoxError as exc:
                results[key] = exc
                active.pop(key, None)
                return
            if isinstance(wanted, (int, float)):
                active[key] = (gen, ('time', self.clock() + wanted))
            else:
                active[key] = (gen, ('task', str(wanted), self.clock() + timeout))

        while queue or active or resume:
            while queue and len(active) < limit:
                key, gen = queue.pop(0)
                resume[key] = None
                active[key] = (gen, None)
            for key in list(resume):
                step(key, active[key][0], resume.pop(key))
            if not active:
                continue
            upids = {w[1]: key for key, (unused_gen, w) in active.items() if w and w[0] == 'task'}
            try:
                finished = self.poll(upids) if upids else {}
            except ProxmoxError as exc:
                for key in upids.values():
                    resume[key] = exc
                finished = {}
            now = self.clock()
            for upid, status in finished.items():
                key = upids[upid]
                try:
                    resume[key] = self.outcome(status)
                except ProxmoxTaskFailed as exc:
                    resume[key] = exc
            for key, (unused_gen, waiting) in active.items():
                if key in resume or not waiting:
                    continue
                if waiting[0] == 'time' and waiting[1] <= now:
                    resume[key] = None
                elif waiting[0] == 'task' and waiting[2] <= now:
                    resume[key] = ProxmoxTaskTimeout(waiting[1], timeout)
            if resume:
                self.backoff.reset()
                continue
            timers = [w[1] for unused_gen, w in active.values() if w and w[0] == 'time']
            delay = self.backoff.next()
            if timers and not upids:
                delay = max(0.0, min(timers) - now)
            self.sleep(delay)
        return results
