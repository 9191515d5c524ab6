# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_vm: find every declared VM in one request, plan each, run the plans concurrently.

One ``GET /cluster/resources`` finds all VMs by name, one ``GET config`` per existing VM (or per
template) gives the current configuration, and each VM then runs its own workflow (clone, config,
resize, pool, power, guest-agent IP) under the shared task waiter, so clones run in parallel and a
VM is started as soon as its own clone is done.
"""

from __future__ import annotations

import time

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxApiError, ProxmoxError
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.tasks import TaskWaiter
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.vm import (
    config_changes,
    desired_config,
    disk_plan,
    validate_vm,
    visible,
)

VMID_RETRIES = 10


class Plan:
    """What one VM needs; ``actions`` are also what check mode reports."""

    def __init__(self, spec, where):
        self.spec = spec
        self.where = where
        self.name = spec['name']
        self.vmid = None
        self.node = None
        self.existing = None
        self.source = None
        self.before = {}
        self.changes = {}
        self.new_disks = {}
        self.resizes = []
        self.pool = None
        self.power = None
        self.remove = False
        self.actions = []
        self.done = []
        self.error = None
        self.ip = None
        self.restart_required = False
        self.status = None
        self.after = {}

    @property
    def changed(self):
        return bool(self.actions)


class VmRunner:
    def __init__(self, client, specs, check_mode=False, timeout=1800, lock_timeout=60, wait_for_ip=False,
                 ip_timeout=300, parallel=20, update_password=False, clock=time.monotonic, sleep=time.sleep):
        self.client = client
        self.waiter = TaskWaiter(client, clock=clock, sleep=sleep)
        self.specs = specs
        self.check_mode = check_mode
        self.timeout = timeout
        self.lock_timeout = lock_timeout
        self.wait_for_ip = wait_for_ip
        self.ip_timeout = ip_timeout
        self.parallel = parallel
        self.update_password = update_password
        self.clock = clock
        self.plans = []
        self.warnings = []
        self._used_ids = set()
        self._next_id = None

    # --- planning --------------------------------------------------------------------------------
    def plan(self):
        names = [s['name'] for s in self.specs]
        dupes = sorted(set(n for n in names if names.count(n) > 1))
        if dupes:
            raise ProxmoxError('vms: names declared more than once: %s' % ', '.join(dupes))
        resources = self.client.get('/cluster/resources')
        nodes = {r['node']: r.get('status') for r in resources if r.get('type') == 'node'}
        guests = [r for r in resources if r.get('type') in ('qemu', 'lxc')]
        self._used_ids = set(int(r['vmid']) for r in guests)
        templates = {}
        for index, spec in enumerate(self.specs):
            plan = Plan(spec, 'vms[name=%s]' % spec['name'])
            self.plans.append(plan)
            try:
                validate_vm(spec, index)
                self._plan_one(plan, guests, nodes, templates)
            except ProxmoxError as exc:
                plan.error = str(exc)
        return self.plans

    def _plan_one(self, plan, guests, nodes, templates):
        spec = plan.spec
        found = [g for g in guests if g.get('name') == plan.name and not g.get('template')]
        if len(found) > 1:
            raise ProxmoxError('%s: %d VMs carry this name (vmids %s); rename or remove the extra ones'
                               % (plan.where, len(found), ', '.join(str(g['vmid']) for g in found)))
        if found:
            plan.existing = found[0]
            plan.vmid, plan.node = int(found[0]['vmid']), found[0]['node']
            if spec.get('vmid') and spec['vmid'] != plan.vmid:
                raise ProxmoxError('%s.vmid: the VM exists with vmid %d, not %d' % (plan.where, plan.vmid, spec['vmid']))
            if nodes.get(plan.node) != 'online':
                raise ProxmoxError('%s: node %s is offline; the VM cannot be managed until it is back'
                                   % (plan.where, plan.node))
            plan.status = found[0].get('status')
        if spec['state'] == 'absent':
            if found:
                plan.remove = True
                if plan.status == 'running':
                    plan.actions.append('stop %s' % plan.name)
                plan.actions.append('destroy %s (vmid %d)' % (plan.name, plan.vmid))
            return
        if found:
            current = self.client.get('/nodes/%s/qemu/%d/config' % (plan.node, plan.vmid))
        else:
            current = self._plan_new(plan, guests, nodes, templates)
        plan.before = {} if not found else current
        want = desired_config(spec, current)
        if 'password' in (spec.get('cloud_init') or {}) and spec['cloud_init']['password'] is not None \
                and (not found or self.update_password):
            want['cipassword'] = spec['cloud_init']['password']
        plan.changes = config_changes(want, current)
        plan.new_disks, plan.resizes = disk_plan(spec, current, plan.where)
        if plan.changes or plan.new_disks:
            plan.actions.append('configure %s: %s' % (plan.name, ', '.join(sorted(set(plan.changes) | set(plan.new_disks)))))
        for slot, size in plan.resizes:
            plan.actions.append('resize %s %s to %s' % (plan.name, slot, size))
        if spec.get('pool') and (not found or plan.existing.get('pool') != spec['pool']):
            plan.pool = spec['pool']
            if found:
                plan.actions.append('move %s to pool %s' % (plan.name, plan.pool))
        running = plan.status == 'running'
        if spec['state'] == 'running' and not running:
            plan.power = 'start'
        elif spec['state'] == 'stopped' and running:
            plan.power = 'shutdown'
        if plan.power:
            plan.actions.append('%s %s' % (plan.power, plan.name))
        plan.after = dict(current, name=plan.name, **plan.changes)

    def _plan_new(self, plan, guests, nodes, templates):
        spec = plan.spec
        if not spec.get('clone'):
            raise ProxmoxError('%s: the VM does not exist and creating VMs from nothing needs clone (a template); '
                               'use strata.cloud.proxmox_template to make one' % plan.where)
        key = str(spec['clone'])
        source = [g for g in guests if str(g['vmid']) == key or (g.get('name') == key and g.get('template'))]
        if len(source) != 1:
            raise ProxmoxError('%s.clone: %s template %r' % (plan.where, 'no' if not source else 'more than one', key))
        source = source[0]
        plan.source = source
        plan.node = spec.get('node') or source['node']
        if nodes.get(plan.node) != 'online':
            raise ProxmoxError('%s: node %s is offline' % (plan.where, plan.node))
        if nodes.get(source['node']) != 'online':
            raise ProxmoxError('%s.clone: the node of template %s (%s) is offline' % (plan.where, key, source['node']))
        if key not in templates:
            templates[key] = self.client.get('/nodes/%s/qemu/%d/config' % (source['node'], int(source['vmid'])))
        plan.vmid = spec.get('vmid') or self._allocate_vmid()
        if spec.get('vmid'):
            if spec['vmid'] in self._used_ids:
                raise ProxmoxError('%s.vmid: %d is used by another guest' % (plan.where, spec['vmid']))
            self._used_ids.add(spec['vmid'])
        plan.actions.append('clone %s (vmid %s) to %s (vmid %d, %s)' % (
            source.get('name'), source['vmid'], plan.name, plan.vmid, 'full' if spec.get('full', True) else 'linked'))
        return {k: v for k, v in templates[key].items() if k not in ('template', 'digest', 'name')}

    def _allocate_vmid(self):
        if self._next_id is None:
            self._next_id = int(self.client.get('/cluster/nextid'))
        while self._next_id in self._used_ids:
            self._next_id += 1
        self._used_ids.add(self._next_id)
        return self._next_id

    # --- running -----------------------------------------------------------------------------------
    def run(self):
        self.plan()
        work = {p.name: self._workflow(p) for p in self.plans if p.error is None and not self.check_mode
                and (p.actions or (self.wait_for_ip and p.spec['state'] == 'running'))}
        results = self.waiter.run(work, self.timeout, parallel=self.parallel)
        for plan in self.plans:
            outcome = results.get(plan.name)
            if isinstance(outcome, Exception):
                plan.error = str(outcome)
                if isinstance(outcome, ProxmoxError) and outcome.details.get('task_log'):
                    plan.error += ' | task log: ' + ' / '.join(outcome.details['task_log'][-5:])
            if plan.restart_required:
                self.warnings.append('%s: some changes wait for the next restart (pending config)' % plan.name)
        return self.result()

    def _write(self, method, path, **params):
        """A write that waits (yielding) while the VM is locked by another task, up to lock_timeout."""
        deadline = self.clock() + self.lock_timeout
        delay = 0.5
        while True:
            try:
                return self.client.request(method, path, **params)
            except ProxmoxApiError as exc:
                if not exc.locked or self.clock() >= deadline:
                    if exc.locked:
                        raise ProxmoxError('%s (still locked after %ds; lock_timeout)' % (exc, self.lock_timeout))
                    raise
            yield delay
            delay = min(delay * 1.5, 5.0)

    def _task(self, method, path, **params):
        upid = yield from self._write(method, path, **params)
        if upid:
            yield upid

    def _workflow(self, plan):
        base = '/nodes/%s/qemu/%d' % (plan.node, plan.vmid)
        if plan.remove:
            if plan.status == 'running':
                yield from self._task('POST', base + '/status/stop')
                plan.done.append('stop')
            yield from self._task('DELETE', base, purge=1)
            plan.done.append('destroy')
            plan.status = None
            return None
        if plan.source is not None:
            yield from self._clone(plan)
        config = dict(plan.changes)
        config.update(plan.new_disks)
        if config:
            yield from self._write('PUT', base + '/config', **config)
            plan.done.append('configure')
        for slot, size in plan.resizes:
            yield from self._task('PUT', base + '/resize', disk=slot, size=size)
            plan.done.append('resize %s' % slot)
        if plan.pool:
            yield from self._write('PUT', '/pools', poolid=plan.pool, vms=str(plan.vmid), **{'allow-move': 1})
            plan.done.append('pool')
        if config and plan.status == 'running' and plan.power is None:
            pending = self.client.get(base + '/pending')
            plan.restart_required = any('pending' in e or e.get('delete') for e in pending)
        if plan.power == 'start':
            yield from self._task('POST', base + '/status/start')
            plan.status = 'running'
            plan.done.append('start')
        elif plan.power == 'shutdown':
            yield from self._task('POST', base + '/status/shutdown', timeout=120, forceStop=1)
            plan.status = 'stopped'
            plan.done.append('shutdown')
        if self.wait_for_ip and plan.status == 'running':
            plan.ip = yield from self._agent_ip(base)
        return None

    def _clone(self, plan):
        src = '/nodes/%s/qemu/%d/clone' % (plan.source['node'], int(plan.source['vmid']))
        params = dict(name=plan.name, full=bool(plan.spec.get('full', True)), pool=plan.spec.get('pool'))
        if plan.spec.get('storage') and plan.spec.get('full', True):
            params['storage'] = plan.spec['storage']
        if plan.node != plan.source['node']:
            params['target'] = plan.node
        for unused_attempt in range(VMID_RETRIES):
            try:
                upid = yield from self._write('POST', src, newid=plan.vmid, **params)
                break
            except ProxmoxApiError as exc:
                if 'already exists' not in exc.reason or plan.spec.get('vmid'):
                    raise
                plan.vmid = self._allocate_vmid()     # another client took this vmid meanwhile
        else:
            raise ProxmoxError('%s: no free vmid after %d attempts' % (plan.where, VMID_RETRIES))
        plan.done.append('clone')
        yield upid
        plan.status = 'stopped'
        plan.pool = None

    def _agent_ip(self, base):
        deadline = self.clock() + self.ip_timeout
        while True:
            try:
                data = self.client.get(base + '/agent/network-get-interfaces')
                for iface in data.get('result', []):
                    for addr in iface.get('ip-addresses') or []:
                        ip = addr.get('ip-address', '')
                        if addr.get('ip-address-type') == 'ipv4' and not ip.startswith(('127.', '169.254.')):
                            return ip
            except ProxmoxApiError as exc:
                if 'No QEMU guest agent configured' in exc.reason:
                    raise ProxmoxError('wait_for_ip: the VM has no guest agent enabled (set agent: true)')
                if exc.status != 500:
                    raise
            if self.clock() >= deadline:
                raise ProxmoxError('wait_for_ip: the guest agent reported no IPv4 address within %ds' % self.ip_timeout)
            yield 1.0

    # --- result ------------------------------------------------------------------------------------
    def result(self):
        vms, before, after = [], {}, {}
        for plan in self.plans:
            entry = {'name': plan.name, 'vmid': plan.vmid, 'node': plan.node, 'changed': plan.changed,
                     'actions': plan.actions, 'status': plan.status, 'restart_required': plan.restart_required}
            if plan.remove and not plan.error and not self.check_mode:
                entry['status'] = 'absent'
            if self.wait_for_ip:
                entry['ip'] = plan.ip
            if plan.error:
                entry['error'] = plan.error
                entry['changed'] = bool(plan.done)
            if plan.actions:
                before[plan.name] = visible(plan.before) if plan.existing else None
                after[plan.name] = None if plan.remove else visible(plan.after)
            vms.append(entry)
        failed = [p for p in self.plans if p.error]
        changed = any(p.changed for p in self.plans if not p.error) or any(p.done for p in self.plans)
        result = {'changed': changed, 'vms': vms, 'diff': {'before': before, 'after': after}}
        if failed:
            result['msg'] = '; '.join('%s: %s' % (p.name, p.error) for p in failed)
        return result
