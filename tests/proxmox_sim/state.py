# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulated cluster: nodes, guests, tasks, pools, storage, access control, network staging."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import time

DEFAULT_DURATIONS = {
    'qmclone': 2.0, 'qmcreate': 0.5, 'qmstart': 0.5, 'qmstop': 0.3, 'qmshutdown': 0.5, 'qmreboot': 0.5,
    'qmdestroy': 0.3, 'qmconfig': 0.1, 'resize': 0.2, 'qmtemplate': 0.3, 'download': 0.5, 'srvreload': 0.2,
    'imgcopy': 0.3,
}
# Keys a running VM takes at once with the default hotplug setting (network,disk,usb); others go pending.
_DISK_RE = re.compile(r'^(scsi|virtio|sata|ide|efidisk|tpmstate)\d+$')
_DIRECT = {'name', 'description', 'tags', 'onboot', 'protection', 'ciuser', 'cipassword', 'sshkeys', 'nameserver',
           'searchdomain', 'citype', 'ciupgrade'}

ROLE_PRIVS = {
    'Administrator': {'*'},
    'PVEAdmin': {'VM.*', 'Datastore.*', 'Pool.*', 'SDN.*', 'Sys.Audit', 'Sys.Console', 'Sys.Syslog', 'User.Modify',
                 'Group.Allocate', 'Permissions.Modify', 'Mapping.*'},
    'PVEVMUser': {'VM.Audit', 'VM.Console', 'VM.PowerMgmt', 'VM.Backup', 'VM.Config.CDROM', 'VM.Config.Cloudinit', 'Datastore.AllocateSpace'},
    'PVEVMAdmin': {'VM.*', 'Datastore.AllocateSpace', 'Datastore.Audit', 'Pool.Audit', 'SDN.Use', 'Sys.Audit'},
    'PVEAuditor': {'Sys.Audit', 'VM.Audit', 'Datastore.Audit', 'Pool.Audit', 'SDN.Audit'},
    'PVEUserAdmin': {'User.Modify', 'Group.Allocate', 'Sys.Audit', 'Realm.AllocateUser'},
    'NoAccess': set(),
}


class ApiError(Exception):
    """An API failure: status, reason phrase and (for 400) the per-parameter errors."""

    def __init__(self, status, reason, errors=None):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.errors = errors


def fail(message):
    raise ApiError(500, message)


def param_error(errors):
    raise ApiError(400, 'Parameter verification failed.', errors)


def size_to_bytes(text):
    match = re.match(r'^\+?(\d+(?:\.\d+)?)([KMGT]?)$', str(text))
    if not match:
        param_error({'size': 'unable to parse size'})
    return int(float(match.group(1)) * 1024 ** ' KMGT'.index(match.group(2) or ' '))


def bytes_to_size(num):
    for unit, power in (('T', 4), ('G', 3), ('M', 2), ('K', 1)):
        if num % 1024 ** power == 0:
            return '%d%s' % (num // 1024 ** power, unit)
    return str(num)


def parse_opts(text):
    out = {}
    for i, part in enumerate(str(text).split(',')):
        if '=' in part:
            key, val = part.split('=', 1)
            out[key] = val
        elif i == 0:
            out['_'] = part
    return out


NIC_MODELS = ('virtio', 'e1000', 'e1000e', 'vmxnet3', 'rtl8139')


def net_model(opts):
    """(model, mac) of parsed net options ('virtio=MAC' or 'model=virtio,macaddr=MAC')."""
    for model in NIC_MODELS:
        if model in opts:
            return model, opts[model]
    return opts.get('model', opts.get('_', 'virtio')), opts.get('macaddr')


def join_opts(opts):
    head = [opts['_']] if '_' in opts else []
    return ','.join(head + ['%s=%s' % (k, v) for k, v in opts.items() if k != '_'])


class Task:
    _pids = itertools.count(0x1000)

    def __init__(self, node, kind, ident, user, duration, on_done=None, error=None, on_error=None):
        self.node, self.type, self.id, self.user = node, kind, str(ident), user
        self.pid = next(self._pids)
        self.pstart = 0x2000 + self.pid
        self.starttime = int(time.time())
        self.started = time.monotonic()
        self.ends = self.started + duration
        self.on_done = on_done
        self.on_error = on_error
        self.error = error
        self.exitstatus = None
        self.endtime = None
        self.log = ['task started by %s' % user]
        self.upid = 'UPID:%s:%08X:%08X:%08X:%s:%s:%s:' % (node, self.pid, self.pstart, self.starttime, kind, self.id, user)

    def finish(self):
        if self.error is None and self.on_done:
            try:
                self.on_done()
            except ApiError as exc:
                self.error = exc.reason
        if self.error is None:
            self.exitstatus = 'OK'
            self.log.append('TASK OK')
        else:
            if self.on_error:
                self.on_error()
            self.log.append(self.error)
            self.exitstatus = self.error
            self.log.append('TASK ERROR: %s' % self.error)
        self.endtime = int(time.time())

    def status(self):
        out = {'upid': self.upid, 'node': self.node, 'pid': self.pid, 'pstart': self.pstart,
               'starttime': self.starttime, 'type': self.type, 'id': self.id, 'user': self.user,
               'status': 'running' if self.exitstatus is None else 'stopped'}
        if self.exitstatus is not None:
            out['exitstatus'] = self.exitstatus
        return out


class Vm:
    def __init__(self, vmid, node, config, template=False):
        self.vmid = vmid
        self.node = node
        self.config = dict(config)
        self.pending = {}
        self.pending_delete = set()
        self.status = 'stopped'
        self.template = template
        self.lock = None
        self.lock_until = None
        self.pool = None
        self.started_at = None

    @property
    def name(self):
        return self.config.get('name', 'VM%d' % self.vmid)

    def disks(self):
        return {k: v for k, v in self.config.items() if _DISK_RE.match(k) and 'media=cdrom' not in v}

    def maxdisk(self):
        return sum(size_to_bytes(parse_opts(v).get('size', '0')) for v in self.disks().values())

    def merged(self):
        cfg = dict(self.config)
        cfg.update(self.pending)
        for key in self.pending_delete:
            cfg.pop(key, None)
        return cfg

    def digest(self):
        return hashlib.sha1(repr(sorted(self.config.items())).encode()).hexdigest()

    def apply_pending(self):
        self.config = self.merged()
        self.pending, self.pending_delete = {}, set()

    def set(self, key, value, running_hotplug=True):
        if self.status == 'running' and not (key in _DIRECT or key.startswith(('net', 'ipconfig')) or
                                             (_DISK_RE.match(key) and running_hotplug)):
            self.pending[key] = value
            self.pending_delete.discard(key)
        else:
            self.config[key] = value
            self.pending.pop(key, None)

    def delete(self, key):
        if self.status == 'running' and not (key in _DIRECT or key.startswith(('net', 'ipconfig')) or _DISK_RE.match(key)):
            self.pending_delete.add(key)
        else:
            self.config.pop(key, None)


def default_network(index):
    """A freshly installed node: four NICs, vmbr0 on the first with the node's address."""
    out = {}
    for n in range(1, 5):
        out['eno%d' % n] = {'iface': 'eno%d' % n, 'type': 'eth', 'method': 'manual', 'families': ['inet'], 'exists': 1,
                            'active': 1, 'priority': n}
    out['vmbr0'] = {'iface': 'vmbr0', 'type': 'bridge', 'method': 'static', 'families': ['inet'], 'active': 1, 'autostart': 1,
                    'bridge_ports': 'eno1', 'cidr': '192.0.2.%d/24' % (11 + index),
                    'address': '192.0.2.%d' % (11 + index), 'netmask': '24', 'gateway': '192.0.2.1', 'priority': 5}
    return out


class Cluster:
    """Everything the API serves. Methods raise ApiError; the caller holds the lock."""

    def __init__(self, nodes=('pve1', 'pve2', 'pve3'), profile='8.4'):
        self.profile = profile
        self.nodes = {n: {'online': True} for n in nodes}
        self.vms = {}
        self.tasks = []
        self.durations = dict(DEFAULT_DURATIONS)
        self.duration_jitter = {}          # task type -> callable(vmid) -> seconds (overrides durations)
        self.agent_delay = 0.5
        self.pools = {}
        self.storage = {
            'local': {'storage': 'local', 'type': 'dir', 'path': '/var/lib/vz', 'content': 'iso,vztmpl,backup,import,snippets',
                      'shared': 0},
            'local-lvm': {'storage': 'local-lvm', 'type': 'lvmthin', 'thinpool': 'data', 'vgname': 'pve',
                          'content': 'images,rootdir', 'shared': 0},
        }
        self.storage_content = {}           # (node, storage) -> {volid: {...}}
        self.users = {'root@pam': {'userid': 'root@pam', 'enable': 1, 'groups': set(), 'password': 'root-secret',
                                   'tokens': {}, 'comment': '', 'email': ''}}
        self.groups = {}
        self.acl = []                       # dicts: path, ugid, type (user|group|token), roleid, propagate
        self.tickets = {}
        self.roles = {r: {'privs': set(p), 'special': 1} for r, p in ROLE_PRIVS.items()}
        self.network = {n: default_network(i) for i, n in enumerate(nodes)}
        self.network_staged = {n: None for n in nodes}
        self.storage_keyrings = {}          # storage -> keyring text (PVE keeps it in /etc/pve/priv/ceph)
        self.remote_files = {}              # URL -> {'size': bytes, 'checksums': {algorithm: hex}} (download-url)
        self.unreachable_servers = set()    # NFS servers that do not answer (storage 'x' is not online)
        # Cluster membership (tests/proxmox_sim/corosync.py): the node this API answers as, its address,
        # the corosync cluster it is in (None: standalone) and the Fabric of standalone nodes, if any.
        self.local_node = next(iter(self.nodes))
        self.address = '127.0.0.1'
        self.corosync = None
        self.fabric = None

    # --- tasks -----------------------------------------------------------------------------
    def advance(self):
        now = time.monotonic()
        for task in sorted((t for t in self.tasks if t.exitstatus is None and t.ends <= now), key=lambda t: t.ends):
            task.finish()
        for vm in self.vms.values():
            if vm.lock_until is not None and vm.lock_until <= now:
                vm.lock, vm.lock_until = None, None

    def start_task(self, node, kind, ident, user, on_done=None, error=None, duration=None, on_error=None):
        if duration is None:
            jitter = self.duration_jitter.get(kind)
            duration = jitter(ident) if jitter else self.durations.get(kind, 0.1)
        error = error or self.take_task_fault(kind, ident)
        task = Task(node, kind, ident, user, duration, on_done, error, on_error)
        self.tasks.append(task)
        return task.upid

    def take_task_fault(self, kind, ident):
        return None

    def task(self, upid):
        for task in self.tasks:
            if task.upid == upid:
                return task
        fail("no such task '%s'" % upid)
        return None

    # --- guests ----------------------------------------------------------------------------
    def node_online(self, node):
        if node not in self.nodes:
            fail("hostname lookup '%s' failed - failed to get address info for: %s: Name or service not known" % (node, node))
        if not self.nodes[node]['online']:
            raise ApiError(595, 'No route to host')

    def vm(self, node, vmid):
        vmid = int(vmid)
        vm = self.vms.get(vmid)
        if vm is None or vm.node != node:
            fail("Configuration file 'nodes/%s/qemu-server/%d.conf' does not exist" % (node, vmid))
        return vm

    def check_lock(self, vm):
        if vm.lock:
            fail('VM %d is locked (%s)' % (vm.vmid, vm.lock))

    def check_unused(self, vmid):
        if vmid in self.vms:
            fail("VM %d already exists on node '%s'" % (vmid, self.vms[vmid].node))

    def next_id(self):
        for vmid in itertools.count(100):
            if vmid not in self.vms:
                return vmid
        return None

    def alloc_disk(self, vmid, node, spec, index):
        opts = parse_opts(spec)
        volume = opts.pop('_', '')
        storage, rest = (volume.split(':', 1) + [''])[:2]
        if storage not in self.storage:
            fail("storage '%s' does not exist" % storage)
        if re.match(r'^\d+(\.\d+)?$', rest):
            size = int(float(rest) * 1024 ** 3)
            src = opts.pop('import-from', None)
            if src is not None:
                size = self.import_size(node, src)
            name = '%s:vm-%d-disk-%d' % (storage, vmid, index)
            opts['size'] = bytes_to_size(size)
            return join_opts(dict({'_': name}, **opts))
        return spec

    def import_size(self, node, volid):
        storage = volid.partition(':')[0]
        content = self.storage_content.get((node, storage), {})
        if volid not in content:
            fail("volume '%s' does not exist" % volid)
        return content[volid]['size']

    def rename_disks(self, vm, prefix, src=None):
        for key, value in vm.disks().items():
            opts = parse_opts(value)
            storage, volname = (opts['_'].split(':', 1) + [''])[:2]
            index = volname.rsplit('-', 1)[-1]
            if src is not None:
                opts['_'] = '%s:%s/%s-%d-disk-%s' % (storage, volname.split('/')[-1], prefix, vm.vmid, index)
            else:
                opts['_'] = '%s:%s-%d-disk-%s' % (storage, prefix, vm.vmid, index)
            vm.config[key] = join_opts(opts)

    def resources(self):
        out = []
        for node, info in self.nodes.items():
            out.append({'id': 'node/%s' % node, 'type': 'node', 'node': node, 'status': 'online' if info['online'] else 'offline',
                        'maxcpu': 16, 'maxmem': 68719476736, 'cpu': 0.05, 'mem': 4294967296, 'level': ''})
            for storage in self.storage.values():
                out.append({'id': 'storage/%s/%s' % (node, storage['storage']), 'type': 'storage', 'node': node,
                            'storage': storage['storage'], 'status': 'available' if info['online'] else 'unknown',
                            'plugintype': storage['type'], 'content': storage['content'], 'shared': storage.get('shared', 0),
                            'maxdisk': 1099511627776, 'disk': 0})
        for pool in self.pools:
            out.append({'id': '/pool/%s' % pool, 'type': 'pool', 'pool': pool})
        for vm in sorted(self.vms.values(), key=lambda v: v.vmid):
            online = self.nodes[vm.node]['online']
            cfg = vm.config
            entry = {'id': 'qemu/%d' % vm.vmid, 'type': 'qemu', 'vmid': vm.vmid, 'name': vm.name, 'node': vm.node,
                     'status': vm.status if online else 'unknown', 'template': int(vm.template),
                     'maxcpu': int(cfg.get('cores', 1)) * int(cfg.get('sockets', 1)),
                     'maxmem': int(parse_opts(cfg.get('memory', '512'))['_']) * 1048576, 'maxdisk': vm.maxdisk(),
                     'uptime': int(time.monotonic() - vm.started_at) if vm.status == 'running' and vm.started_at else 0,
                     'cpu': 0, 'mem': 0, 'disk': 0, 'netin': 0, 'netout': 0, 'diskread': 0, 'diskwrite': 0}
            if cfg.get('tags'):
                entry['tags'] = cfg['tags']
            if vm.pool:
                entry['pool'] = vm.pool
            if vm.lock:
                entry['lock'] = vm.lock
            out.append(entry)
        return out

    def agent_interfaces(self, vm):
        agent = parse_opts(vm.merged().get('agent', '0'))
        if agent.get('_', agent.get('enabled', '0')) != '1':
            fail('No QEMU guest agent configured')
        if vm.status != 'running' or time.monotonic() - (vm.started_at or 0) < self.agent_delay:
            fail('QEMU guest agent is not running')
        ip = parse_opts(vm.config.get('ipconfig0', '')).get('ip', 'dhcp')
        addr = ip.split('/')[0] if ip not in ('dhcp', '') else '10.%d.%d.%d' % (vm.vmid >> 16 & 255, vm.vmid >> 8 & 255, vm.vmid & 255)
        mac = net_model(parse_opts(vm.config.get('net0', 'virtio=BC:24:11:00:00:00')))[1] or ''
        return {'result': [
            {'name': 'lo', 'hardware-address': '00:00:00:00:00:00',
             'ip-addresses': [{'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', 'prefix': 8}]},
            {'name': 'eth0', 'hardware-address': mac.lower(),
             'ip-addresses': [{'ip-address': addr, 'ip-address-type': 'ipv4', 'prefix': 24}]}]}

    def new_mac(self, vmid, index):
        digest = hashlib.sha256(('%d/%d/%s' % (vmid, index, os.getpid())).encode()).hexdigest()
        return 'BC:24:11:%s:%s:%s' % (digest[0:2].upper(), digest[2:4].upper(), digest[4:6].upper())

    # --- access ------------------------------------------------------------------------------
    def privileges(self, userid, token=None, path='/'):
        if userid == 'root@pam' and token is None:
            return {'*'}
        user = self.users.get(userid)
        if user is None or not int(user.get('enable', 1)):
            return set()
        ugids = {userid} | set(user.get('groups', ()))
        privs = self._acl_privs(path, ugids, token=False)
        if userid == 'root@pam':
            privs = {'*'}
        if token is not None:
            tok = user['tokens'].get(token)
            if tok is None:
                return set()
            if int(tok.get('privsep', 1)):
                token_privs = self._acl_privs(path, {'%s!%s' % (userid, token)}, token=True)
                privs = _intersect(privs, token_privs)
        return privs

    def _acl_privs(self, path, ugids, token):
        privs = set()
        for entry in self.acl:
            if entry['ugid'] not in ugids or (entry['type'] == 'token') != token:
                continue
            base = entry['path'].rstrip('/') or '/'
            if path == base or (int(entry.get('propagate', 1)) and (base == '/' or path.startswith(base + '/'))):
                privs |= self.roles.get(entry['roleid'], {}).get('privs', set())
        return privs


def has_priv(privs, wanted):
    if '*' in privs or wanted in privs:
        return True
    return any(p.endswith('.*') and wanted.startswith(p[:-1]) for p in privs)


def _intersect(left, right):
    if '*' in left:
        return set(right)
    if '*' in right:
        return set(left)
    out = set()
    for priv in left | right:
        if has_priv(left, priv) and has_priv(right, priv):
            out.add(priv)
    return out
