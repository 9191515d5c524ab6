# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Convergence of libvirt objects: find -> create | update | delete | noop.

Each runner reads the actual object, builds the desired one, decides once what to do and then
does it - or, in check mode, only records it. The same decision gives ``changed``, the list of
``actions``, the ``diff`` (``before``/``after``) and, in check mode, the predicted result. All
libvirt calls go through :class:`~.client.LibvirtClient`; errors are raised, never reported here.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import xml.etree.ElementTree as ET

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import domain as dm
from ansible_collections.strata.cloud.plugins.module_utils.libvirt import network as nw
from ansible_collections.strata.cloud.plugins.module_utils.libvirt import pool as pl
from ansible_collections.strata.cloud.plugins.module_utils.libvirt import seed as sd
from ansible_collections.strata.cloud.plugins.module_utils.libvirt import volume as vl
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.client import ACTIVE_STATES
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import (
    LibvirtError,
    LibvirtNotFoundError,
    LibvirtOperationError,
    LibvirtValidationError,
    WaitFailedError,
)
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.wait import poll, wait_for_banner

SEED_WARNING = ('the cloud-init seed of %s changed and was uploaded again; cloud-init applies a changed seed '
                'only when cloud_init.instance_id changes (or after "cloud-init clean" in the guest)')


class Runner(object):
    """Shared bookkeeping: actions, check mode, warnings."""

    def __init__(self, client, check_mode=False):
        self.client = client
        self.check_mode = check_mode
        self.actions = []
        self.warnings = []

    def act(self, description, func=None, *args):
        """Record an action; run it unless in check mode. Returns ``func``'s result (or None)."""
        self.actions.append(description)
        if self.check_mode or func is None:
            return None
        return func(*args)

    @property
    def changed(self):
        return bool(self.actions)

    def result(self, **fields):
        result = {'changed': self.changed, 'actions': list(self.actions)}
        result.update(fields)
        return result


# -- VMs ----------------------------------------------------------------------------------------

class VmRunner(Runner):
    """Converge one VM (``strata.cloud.libvirt_vm``)."""

    def __init__(self, client, spec, check_mode=False, restart=False, wait_for_ssh=False, wait_timeout=300,
                 shutdown_timeout=120, run_command=None, which=shutil.which, waiter=wait_for_banner,
                 poller=poll):
        super(VmRunner, self).__init__(client, check_mode)
        self.spec = spec
        self.restart = restart
        self.wait_for_ssh = wait_for_ssh
        self.wait_timeout = wait_timeout
        self.shutdown_timeout = shutdown_timeout
        self.run_command = run_command
        self.which = which
        self.waiter = waiter
        self.poller = poller
        self._transient_pools = []

    # ---- entry point

    def run(self):
        spec = self.spec
        dom = self.client.lookup_domain(spec['name'])
        if spec['state'] == 'absent':
            return self._absent(dom)
        try:
            return self._present(dom)
        finally:
            self._drop_transient_pools()

    # ---- state absent

    def _absent(self, dom):
        if dom is None:
            return self.result(vm=None, restart_required=False, diff={'before': {}, 'after': {}})
        current = dm.parse_domain_xml(self.client.domain_xml(dom, inactive=True))
        state = self.client.domain_state(dom)
        before = self._view(current, state, self.client.domain_autostart(dom), self._sizes(current))
        if state in ACTIVE_STATES:
            self.act('destroy domain %s' % current['name'], self.client.destroy_domain, dom)
        self.act('undefine domain %s' % current['name'], self.client.undefine_domain, dom)
        prefix = '%s-' % current['name']
        for pool_name, vol_name in current['meta']['volumes']:
            if not vol_name.startswith(prefix):
                continue
            pool = self.client.lookup_pool(pool_name)
            if pool is None or not self.client.pool_is_active(pool):
                self.warnings.append('volume %s of pool %s was not deleted: the pool is missing or inactive'
                                     % (vol_name, pool_name))
                continue
            vol = self.client.lookup_volume(pool, vol_name)
            if vol is not None:
                self.act('delete volume %s/%s' % (pool_name, vol_name), self.client.delete_volume, vol)
        return self.result(vm=None, restart_required=False, diff={'before': before, 'after': {}})

    # ---- state running / stopped

    def _present(self, dom):
        spec = self.spec
        current = live = None
        state = 'absent'
        autostart = False
        if dom is not None:
            current = dm.parse_domain_xml(self.client.domain_xml(dom, inactive=True))
            state = self.client.domain_state(dom)
            autostart = self.client.domain_autostart(dom)
            if state in ACTIVE_STATES:
                live = dm.parse_domain_xml(self.client.domain_xml(dom))

        arch = None
        if spec['virt_type'] != 'auto':
            virt_type = spec['virt_type']
        elif current is not None:
            # auto chooses once, for a new domain: an existing one keeps its type (a host may offer
            # KVM that does not run guests, and a redefinition would move the domain onto it).
            virt_type, arch = current['virt_type'], current['arch']
        else:
            # Only read the capabilities when needed: libvirtd may re-probe QEMU for them.
            caps = dm.parse_capabilities(self.client.capabilities())
            virt_type = dm.resolve_virt_type('auto', caps)
            arch = caps['arch']
        cpu_mode = dm.resolve_cpu_mode(spec['cpu_mode'], virt_type)

        # Plan (reads only): volumes, seed, domain definition.
        disk_plans = [self._plan_disk(index, disk) for index, disk in enumerate(spec['disks'])]
        seed_plan = self._plan_seed(current)
        volumes = set(current['meta']['volumes']) if current else set()
        volumes.update((p['pool_name'], p['volume']) for p in disk_plans)
        if seed_plan:
            volumes.add((seed_plan['pool_name'], seed_plan['volume']))
        meta = {'machine': spec['machine'], 'seed_hash': seed_plan['hash'] if seed_plan else None,
                'volumes': sorted(volumes)}
        disks = [{'name': p['name'], 'pool': p['pool_name'], 'volume': p['volume'], 'format': p['format'],
                  'bus': p['bus']} for p in disk_plans]
        seed = {'pool': seed_plan['pool_name'], 'volume': seed_plan['volume']} if seed_plan else None
        desired = dm.desired_model(spec, virt_type, cpu_mode, arch, disks, seed, meta)
        if current is not None:
            desired['uuid'] = current['uuid']
            if spec['machine'] == current['meta'].get('machine'):
                # keep the canonical machine type the domain was defined with
                desired['machine'] = current['machine']
        before = self._view(current, state, autostart, self._plan_sizes(disk_plans, before=True)) if current else {}

        # Apply.
        for plan in disk_plans:
            self._apply_disk(plan, dom, live)
        if seed_plan and seed_plan['upload']:
            self._apply_seed(seed_plan, existed=current is not None)
        needs_define = current is None or (dm.config_view(current) != dm.config_view(desired)
                                           or dm.meta_view(current) != dm.meta_view(desired))
        if needs_define:
            verb = 'define' if current is None else 'redefine'
            new_dom = self.act('%s domain %s' % (verb, spec['name']), self.client.define_domain,
                               dm.build_domain_xml(desired))
            dom = new_dom or dom

        restart_required = False
        active = state in ACTIVE_STATES
        if live is not None and spec['state'] == 'running':
            restart_required = self._apply_live(dom, live, desired)
            if restart_required and self.restart:
                self._stop(dom)
                self.act('start domain %s' % spec['name'], self.client.start_domain, dom)
                restart_required = False
        final_state = 'stopped' if current is None else state
        if spec['state'] == 'running':
            if state == 'paused':
                self.act('resume domain %s' % spec['name'], self.client.resume_domain, dom)
            elif not active:
                self.act('start domain %s' % spec['name'], self.client.start_domain, dom)
            final_state = 'running'
        elif spec['state'] == 'stopped':
            if active:
                self._stop(dom)
            final_state = 'stopped'
        if autostart != spec['autostart']:
            self.act('set autostart of domain %s to %s' % (spec['name'], spec['autostart']),
                     self.client.set_domain_autostart, dom, spec['autostart'])
        if restart_required:
            self.warnings.append('domain %s runs with an older definition; the change takes effect after a '
                                 'restart (set restart: true to restart it)' % spec['name'])

        after = self._view(desired, final_state, spec['autostart'], self._plan_sizes(disk_plans))
        result = {'restart_required': restart_required, 'diff': {'before': before, 'after': after}}
        if self.check_mode or dom is None:
            result['vm'] = after
        else:
            if self.wait_for_ssh and spec['state'] == 'running' and spec['ssh']:
                result['ssh_wait'] = self._wait_ssh(dom)
            result['vm'] = self.read_vm(dom)
        return self.result(**result)

    # ---- planning

    def _plan_disk(self, index, disk):
        field = 'disks[%d]' % index
        pool = self.client.lookup_pool(disk['pool'])
        if pool is None:
            raise LibvirtNotFoundError('%s.pool: storage pool %s does not exist' % (field, disk['pool']))
        if not self.client.pool_is_active(pool):
            raise LibvirtNotFoundError('%s.pool: storage pool %s is not active' % (field, disk['pool']))
        pool_type = pl.parse_pool_xml(self.client.pool_xml(pool))['type']
        fmt = vl.volume_format(pool_type)
        name = vl.disk_volume_name(self.spec['name'], disk['name'], pool_type)
        plan = {'index': index, 'name': disk['name'], 'bus': disk['bus'], 'pool': pool, 'pool_name': disk['pool'],
                'pool_type': pool_type, 'volume': name, 'format': fmt, 'vol': None, 'capacity': None,
                'size': disk['size'], 'action': None, 'base': None, 'clone': disk['clone']}
        vol = self.client.lookup_volume(pool, name)
        if vol is not None:
            capacity = self.client.volume_capacity(vol)
            plan.update(vol=vol, capacity=capacity)
            if disk['size'] is not None and disk['size'] < capacity:
                raise LibvirtValidationError(
                    '%s.size: volume %s/%s is %s (%d bytes); shrinking it to %s is not supported'
                    % (field, disk['pool'], name, vl.human_size(capacity), capacity, vl.human_size(disk['size'])))
            if disk['size'] is not None and disk['size'] > capacity:
                plan['action'] = 'grow'
            return plan
        plan['action'] = 'create'
        if disk['base_image']:
            if disk['clone'] == 'overlay' and fmt != 'qcow2':
                raise LibvirtValidationError('%s.clone: overlay needs a file-based pool, and pool %s is of type %s; '
                                             'use clone: copy' % (field, disk['pool'], pool_type))
            base = self._base_info(disk['base_image'], field)
            plan['base'] = base
            if base['capacity'] is not None:
                if disk['size'] is not None and disk['size'] < base['capacity']:
                    raise LibvirtValidationError(
                        '%s.size: %s is smaller than base image %s (%s)'
                        % (field, vl.human_size(disk['size']), disk['base_image'], vl.human_size(base['capacity'])))
                if disk['size'] is None:
                    plan['size'] = base['capacity']
        return plan

    def _plan_seed(self, current):
        ci = self.spec['cloud_init']
        if ci is None:
            return None
        pool_name = self.spec['disks'][0]['pool'] if self.spec['disks'] else 'default'
        pool = self.client.lookup_pool(pool_name)
        if pool is None or not self.client.pool_is_active(pool):
            raise LibvirtNotFoundError('cloud_init: the seed volume goes to storage pool %s (the pool of the first '
                                       'disk), which does not exist or is not active' % pool_name)
        files = sd.seed_files(ci)
        digest = sd.seed_hash(files)
        name = vl.seed_volume_name(self.spec['name'])
        vol = self.client.lookup_volume(pool, name)
        upload = vol is None or current is None or current['meta'].get('seed_hash') != digest
        if upload:
            sd.find_iso_tool(self.which)  # fail before any change when no ISO builder is installed
        return {'pool': pool, 'pool_name': pool_name, 'volume': name, 'vol': vol, 'files': files, 'hash': digest,
                'upload': upload}

    def _base_info(self, path, field):
        """``{'path', 'capacity', 'format'}`` of a base image; capacity is None when unknown (check mode)."""
        vol = self._find_base_volume(path, create_pool=not self.check_mode)
        if vol is None:
            if self.check_mode:
                return {'path': path, 'capacity': None, 'format': None}
            raise LibvirtNotFoundError('%s.base_image: %s does not exist on the hypervisor' % (field, path))
        info = vl.parse_volume_xml(self.client.volume_xml(vol))
        return {'path': path, 'capacity': self.client.volume_capacity(vol), 'format': info['format']}

    def _find_base_volume(self, path, create_pool=True):
        """The volume of a base image: from any pool (refreshing the pool of its directory once) or
        from a transient dir pool started for its directory and stopped when the run ends."""
        vol = self.client.lookup_volume_by_path(path)
        if vol is not None:
            return vol
        directory = os.path.dirname(path.rstrip('/'))
        for pool in self.client.list_pools():
            try:
                if not self.client.pool_is_active(pool):
                    continue
                info = pl.parse_pool_xml(self.client.pool_xml(pool))
                if info.get('target_path') and info['target_path'].rstrip('/') == directory:
                    self.client.refresh_pool(pool)
            except LibvirtOperationError:
                continue  # a pool busy with another job: not ours to wait for
        vol = self.client.lookup_volume_by_path(path)
        if vol is not None or not create_pool:
            return vol
        name = 'strata-base-%s' % hashlib.sha256(directory.encode('utf-8')).hexdigest()[:12]
        xml = pl.build_pool_xml({'name': name, 'uuid': None, 'type': 'dir', 'path': directory,
                                 'source': {'devices': [], 'hosts': []}})
        try:
            transient = self.client.create_transient_pool(xml)
            self._transient_pools.append(transient)
        except LibvirtOperationError as exc:
            # Another run may have started the same transient pool: then the volume is visible now.
            vol = self.client.lookup_volume_by_path(path)
            if vol is None:
                raise LibvirtNotFoundError('base image %s: not found in any storage pool, and no transient pool '
                                           'could be started for %s: %s' % (path, directory, exc))
            return vol
        return self.client.lookup_volume_by_path(path)

    def _drop_transient_pools(self):
        while self._transient_pools:
            pool = self._transient_pools.pop()
            try:
                self.client.stop_pool(pool)
            except LibvirtError:
                pass

    # ---- applying

    def _apply_disk(self, plan, dom, live):
        label = '%s/%s' % (plan['pool_name'], plan['volume'])
        if plan['action'] == 'grow':
            target = None
            if live is not None:
                for disk in live['disks']:
                    if disk.get('pool') == plan['pool_name'] and disk.get('volume') == plan['volume']:
                        target = disk['target']
            if target:
                self.act('grow volume %s from %s to %s (live)' % (label, vl.human_size(plan['capacity']),
                                                                  vl.human_size(plan['size'])),
                         self.client.block_resize, dom, target, plan['size'])
            else:
                self.act('grow volume %s from %s to %s' % (label, vl.human_size(plan['capacity']),
                                                           vl.human_size(plan['size'])),
                         self.client.resize_volume, plan['vol'], plan['size'])
            return
        if plan['action'] != 'create':
            return
        base = plan['base']
        if base is None:
            self.act('create volume %s (%s)' % (label, vl.human_size(plan['size'])), self._create_volume, plan)
        elif plan['clone'] == 'overlay':
            self.act('create volume %s as an overlay of %s' % (label, base['path']), self._create_volume, plan)
        else:
            self.act('create volume %s as a copy of %s' % (label, base['path']), self._copy_volume, plan)

    def _create_volume(self, plan):
        base = plan['base']
        if base is None:
            xml = vl.volume_xml(plan['volume'], plan['size'], plan['format'])
        else:
            xml = vl.volume_xml(plan['volume'], plan['size'], 'qcow2', base['path'], base['format'])
        return self.client.create_volume(plan['pool'], xml)

    def _copy_volume(self, plan):
        base = plan['base']
        source = self._find_base_volume(base['path'])
        if source is None:
            raise LibvirtNotFoundError('disks[%d].base_image: %s does not exist on the hypervisor'
                                       % (plan['index'], base['path']))
        xml = vl.volume_xml(plan['volume'], plan['size'], plan['format'])
        vol = self.client.create_volume_from(plan['pool'], xml, source)
        if self.client.volume_capacity(vol) < plan['size']:
            self.client.resize_volume(vol, plan['size'])
        return vol

    def _apply_seed(self, plan, existed):
        label = '%s/%s' % (plan['pool_name'], plan['volume'])
        self.act('upload cloud-init seed %s' % label, self._upload_seed, plan)
        if existed:
            self.warnings.append(SEED_WARNING % self.spec['name'])

    def _upload_seed(self, plan):
        if self.run_command is None:
            raise LibvirtError('internal error: no command runner to build the seed image')
        data = sd.build_iso(plan['files'], self.run_command, self.which)
        if plan['vol'] is not None:
            self.client.delete_volume(plan['vol'])
        vol = self.client.create_volume(plan['pool'], vl.volume_xml(plan['volume'], len(data), 'raw'))
        self.client.upload_volume(vol, data)
        return vol

    def _apply_live(self, dom, live, desired):
        """Bring a running domain as close to ``desired`` as possible without a restart.

        New disks at the end of the list are hot-plugged; anything else needs a restart. Returns
        whether a restart is still required.
        """
        live_view = dm.config_view(live, live=True, desired=desired)
        want = dm.config_view(desired)
        if live_view == want:
            return False
        present = set((d.get('pool'), d.get('volume')) for d in live['disks'])
        new_disks = [d for d in desired['disks'] if (d['pool'], d['volume']) not in present]
        if new_disks:
            patched = copy.deepcopy(live_view)
            patched['disks'] = patched['disks'] + [dm.disk_view(d) for d in new_disks]
            if patched == want:
                for disk in new_disks:
                    self.act('attach disk %s (%s/%s) to running domain %s'
                             % (disk['target'], disk['pool'], disk['volume'], desired['name']),
                             self.client.attach_device_live, dom, dm.disk_xml(disk))
                return False
        return True

    def _stop(self, dom):
        """ACPI shutdown, then power off after ``shutdown_timeout`` seconds."""
        name = self.spec['name']
        if self.check_mode:
            self.act('stop domain %s' % name)
            return
        self.act('shut down domain %s' % name)
        stopped = False
        if self.shutdown_timeout:
            try:
                self.client.shutdown_domain(dom)
                stopped = self.poller(lambda: self.client.domain_state(dom) not in ACTIVE_STATES,
                                      self.shutdown_timeout)
            except LibvirtOperationError:
                stopped = self.client.domain_state(dom) not in ACTIVE_STATES
        if not stopped:
            self.act('power off domain %s' % name, self.client.destroy_domain, dom)

    def _wait_ssh(self, dom):
        host, port = self.spec['ssh']

        def still_running():
            state = self.client.domain_state(dom)
            if state not in ACTIVE_STATES:
                raise WaitFailedError('domain %s is %s: it stopped while waiting for SSH on %s:%s'
                                      % (self.spec['name'], state, host, port), state=state)

        elapsed = self.waiter(host, port, self.wait_timeout, check=still_running)
        return {'host': host, 'port': port, 'elapsed': elapsed}

    # ---- views

    def _plan_sizes(self, disk_plans, before=False):
        sizes = {}
        for plan in disk_plans:
            if before:
                if plan['capacity'] is not None:
                    sizes[(plan['pool_name'], plan['volume'])] = (plan['capacity'], None)
            else:
                sizes[(plan['pool_name'], plan['volume'])] = (plan['size'] or plan['capacity'], None)
        return sizes

    def _sizes(self, model):
        return volume_sizes(self.client, model)

    def _view(self, model, state, autostart, sizes):
        if model is None:
            return {}
        view = dm.vm_view(model, state, autostart, sizes)
        view.pop('uuid', None)
        view['seed_hash'] = (model.get('meta') or {}).get('seed_hash')
        return view

    def read_vm(self, dom):
        return read_vm(self.client, dom)


def volume_sizes(client, model):
    """``{(pool, volume): (bytes, path)}`` for a model's volume disks; missing ones are skipped."""
    sizes = {}
    pools = {}
    for disk in model['disks']:
        if not disk.get('volume'):
            continue
        pool_name = disk.get('pool')
        if pool_name not in pools:
            pool = client.lookup_pool(pool_name)
            pools[pool_name] = pool if pool is not None and client.pool_is_active(pool) else None
        pool = pools[pool_name]
        if pool is None:
            continue
        vol = client.lookup_volume(pool, disk['volume'])
        if vol is not None:
            sizes[(pool_name, disk['volume'])] = (client.volume_capacity(vol), client.volume_path(vol))
    return sizes


def read_vm(client, dom):
    """The ``vm`` dict of an existing domain (its persistent definition and current state)."""
    model = dm.parse_domain_xml(client.domain_xml(dom, inactive=True))
    return dm.vm_view(model, client.domain_state(dom), client.domain_autostart(dom), volume_sizes(client, model))


def vm_info(client, name=None):
    """``vms`` of libvirt_vm_info: every domain, or the one called ``name`` (empty list if missing)."""
    if name:
        dom = client.lookup_domain(name)
        doms = [dom] if dom is not None else []
    else:
        doms = sorted(client.list_domains(), key=client.domain_name)
    return [read_vm(client, dom) for dom in doms]


# -- networks -----------------------------------------------------------------------------------

class NetworkRunner(Runner):
    """Converge one virtual network (``strata.cloud.libvirt_network``)."""

    def __init__(self, client, desired, state='present', autostart=True, active=True, restart=False,
                 check_mode=False):
        super(NetworkRunner, self).__init__(client, check_mode)
        self.desired = desired
        self.state = state
        self.autostart = autostart
        self.active = active
        self.restart = restart

    def run(self):
        name = self.desired['name']
        net = self.client.lookup_network(name)
        before = {}
        current = None
        is_active = autostart = False
        persistent = True
        if net is not None:
            is_active = self.client.network_is_active(net)
            persistent = self.client.network_is_persistent(net)
            autostart = self.client.network_autostart(net) if persistent else False
            current = nw.parse_network_xml(self.client.network_xml(net, inactive=persistent))
            before = nw.network_view(current, is_active, autostart, persistent)
        if self.state == 'absent':
            if net is not None:
                if is_active:
                    self.act('stop network %s' % name, self.client.stop_network, net)
                if persistent:
                    self.act('undefine network %s' % name, self.client.undefine_network, net)
            return self.result(network=None, restart_required=False, diff={'before': before, 'after': {}})

        desired = copy.deepcopy(self.desired)
        if current is not None:
            desired['uuid'] = current['uuid']
            if not desired.get('bridge') and desired['mode'] != 'bridge':
                desired['bridge'] = current.get('bridge')
            if desired['mode'] == current['mode'] and desired.get('bridge') == current.get('bridge'):
                desired['mac'] = current.get('mac')
        needs_define = current is None or not persistent or (
            nw.network_config_view(current, self.desired) != nw.network_config_view(desired, self.desired))
        if needs_define:
            verb = 'define' if current is None else 'redefine'
            new_net = self.act('%s network %s' % (verb, name), self.client.define_network,
                               nw.build_network_xml(desired))
            net = new_net or net

        restart_required = False
        if is_active:
            live = nw.parse_network_xml(self.client.network_xml(net))
            if nw.network_config_view(live, self.desired) != nw.network_config_view(desired, self.desired):
                guests = network_guests(self.client, name)
                if self.active and (self.restart or not guests):
                    self.act('restart network %s' % name, self._restart, net)
                elif self.active:
                    restart_required = True
                    self.warnings.append('network %s was redefined but not restarted: guests %s use it (set '
                                         'restart: true to restart it; their NICs lose the link until they '
                                         'are restarted)' % (name, ', '.join(guests)))
        if self.active and not is_active:
            self.act('start network %s' % name, self.client.start_network, net)
        elif not self.active and is_active:
            self.act('stop network %s' % name, self.client.stop_network, net)
        if autostart != self.autostart:
            self.act('set autostart of network %s to %s' % (name, self.autostart),
                     self.client.set_network_autostart, net, self.autostart)

        after = nw.network_view(desired, self.active, self.autostart, True)
        if self.check_mode or net is None:
            network = after
        else:
            network = read_network(self.client, net)
        return self.result(network=network, restart_required=restart_required,
                           diff={'before': before, 'after': after})

    def _restart(self, net):
        self.client.stop_network(net)
        self.client.start_network(net)


def read_network(client, net):
    active = client.network_is_active(net)
    persistent = client.network_is_persistent(net)
    model = nw.parse_network_xml(client.network_xml(net, inactive=persistent))
    return nw.network_view(model, active, client.network_autostart(net) if persistent else False, persistent)


def network_guests(client, network_name):
    """Names of running domains with a NIC on ``network_name``."""
    guests = []
    for dom in client.list_domains():
        if client.domain_state(dom) not in ACTIVE_STATES:
            continue
        try:
            model = dm.parse_domain_xml(client.domain_xml(dom))
        except (LibvirtError, ET.ParseError):
            continue
        if any(n['type'] == 'network' and n.get('source') == network_name for n in model['nics']):
            guests.append(model['name'])
    return sorted(guests)


# -- storage pools ------------------------------------------------------------------------------

class PoolRunner(Runner):
    """Converge one storage pool (``strata.cloud.libvirt_pool``)."""

    def __init__(self, client, desired, state='present', autostart=True, active=True, restart=False,
                 delete_volumes=False, check_mode=False):
        super(PoolRunner, self).__init__(client, check_mode)
        self.desired = desired
        self.state = state
        self.autostart = autostart
        self.active = active
        self.restart = restart
        self.delete_volumes = delete_volumes

    def run(self):
        name = self.desired['name']
        pool = self.client.lookup_pool(name)
        current = None
        before = {}
        is_active = autostart = False
        if pool is not None:
            is_active = self.client.pool_is_active(pool)
            autostart = self.client.pool_autostart(pool)
            current = pl.parse_pool_xml(self.client.pool_xml(pool, inactive=True))
            before = pl.pool_view(current, is_active, autostart)
        if self.state == 'absent':
            return self._absent(pool, is_active, current, before)

        desired = copy.deepcopy(self.desired)
        if current is not None:
            desired['uuid'] = current['uuid']
            if current['type'] != desired['type']:
                raise LibvirtValidationError('type: storage pool %s exists with type %s; remove it first to change '
                                             'the type to %s' % (name, current['type'], desired['type']))
        needs_define = current is None or pl.pool_config_view(current) != pl.pool_config_view(desired)
        if needs_define:
            verb = 'define' if current is None else 'redefine'
            new_pool = self.act('%s storage pool %s' % (verb, name), self._define,
                                pl.build_pool_xml(desired), desired['type'])
            pool = new_pool or pool
        build_flags = self._build_flags(desired)

        restart_required = False
        if is_active:
            live = pl.parse_pool_xml(self.client.pool_xml(pool))
            if pl.pool_config_view(live) != pl.pool_config_view(desired):
                if self.active and self.restart:
                    self.act('stop storage pool %s' % name, self.client.stop_pool, pool)
                    is_active = False
                elif self.active:
                    restart_required = True
                    self.warnings.append('storage pool %s was redefined but still runs with its old definition '
                                         '(set restart: true to restart it)' % name)
        built = False
        if current is None and build_flags is not None:
            self.act('build storage pool %s' % name, self.client.build_pool, pool, build_flags)
            built = True
        if self.active and not is_active:
            if desired['type'] == 'dir' and not built:
                # (re)creates the directory if it is missing; harmless when it exists
                self.act('build storage pool %s' % name, self.client.build_pool, pool, False)
            self.act('start storage pool %s' % name, self.client.start_pool, pool)
        elif not self.active and is_active:
            self.act('stop storage pool %s' % name, self.client.stop_pool, pool)
        if autostart != self.autostart:
            self.act('set autostart of storage pool %s to %s' % (name, self.autostart),
                     self.client.set_pool_autostart, pool, self.autostart)

        after = pl.pool_view(desired, self.active, self.autostart)
        if self.check_mode or pool is None:
            result_pool = after
        else:
            result_pool = read_pool(self.client, pool)
        return self.result(pool=result_pool, restart_required=restart_required,
                           diff={'before': before, 'after': after})

    def _define(self, xml, pool_type):
        try:
            return self.client.define_pool(xml)
        except LibvirtOperationError as exc:
            if 'missing backend' in str(exc):
                raise LibvirtOperationError('%s (this libvirtd has no storage driver for %s pools; on Debian and '
                                            'Ubuntu install libvirt-daemon-driver-storage-%s)'
                                            % (exc, pool_type, pool_type), **exc.details)
            raise

    def _start_to_delete(self, pool):
        try:
            self.client.start_pool(pool)
        except LibvirtOperationError as exc:
            raise LibvirtOperationError('storage pool %s must run to delete its volumes, and it does not start (%s); '
                                        'remove it without delete_volumes to keep the data'
                                        % (self.desired['name'], exc))

    @staticmethod
    def _build_flags(desired):
        """``no_overwrite`` flag of the pool build, or None when the pool type is not built."""
        if desired['type'] == 'dir':
            return False
        if desired['type'] == 'logical' and desired['source']['devices']:
            return True
        return None

    def _absent(self, pool, is_active, current, before):
        name = self.desired['name']
        if pool is None:
            return self.result(pool=None, restart_required=False, diff={'before': before, 'after': {}})
        if self.delete_volumes:
            was_active = is_active
            if not is_active:
                self.act('start storage pool %s to delete its volumes' % name, self._start_to_delete, pool)
                is_active = True
            if was_active or not self.check_mode:
                # Files written into the directory behind libvirt's back (console logs, copies)
                # are volumes too once the pool is refreshed; otherwise the directory stays.
                self.client.refresh_pool(pool)
                for vol in self.client.list_volumes(pool):
                    self.act('delete volume %s/%s' % (name, self.client.volume_name(vol)),
                             self.client.delete_volume, vol)
        if is_active:
            self.act('stop storage pool %s' % name, self.client.stop_pool, pool)
        if self.delete_volumes and current['type'] == 'dir':
            self.act('delete the directory of storage pool %s' % name, self.client.delete_pool, pool)
        self.act('undefine storage pool %s' % name, self.client.undefine_pool, pool)
        return self.result(pool=None, restart_required=False, diff={'before': before, 'after': {}})


def read_pool(client, pool):
    active = client.pool_is_active(pool)
    model = pl.parse_pool_xml(client.pool_xml(pool, inactive=True))
    capacity = allocation = available = volumes = None
    if active:
        capacity, allocation, available = client.pool_info(pool)
        volumes = sorted(client.volume_name(v) for v in client.list_volumes(pool))
    return pl.pool_view(model, active, client.pool_autostart(pool), capacity, allocation, available, volumes)
