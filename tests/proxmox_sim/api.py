# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API handlers of the simulator, one function per (method, schema path)."""

from __future__ import annotations

import re
import time
import urllib.parse

from .state import NIC_MODELS, ApiError, Vm, bytes_to_size, fail, join_opts, net_model, param_error, parse_opts, size_to_bytes

HANDLERS = {}
VERSIONS = {'8.4': {'version': '8.4.1', 'release': '8.4', 'repoid': 'c8bf6b6d2b5c2a14'},
            '9.1': {'version': '9.1.2', 'release': '9.1', 'repoid': '1a0a3e9d8b7f2c11'}}


def route(method, path):
    def register(func):
        HANDLERS[(method, path)] = func
        return func
    return register


class Ctx:
    """One request: the cluster, its parameters and who asks."""

    def __init__(self, cluster, params, userid, token):
        self.c = cluster
        self.p = params
        self.userid = userid
        self.token = token

    @property
    def user(self):
        return self.userid + ('!' + self.token if self.token else '')

    def vm(self):
        self.c.node_online(self.p['node'])
        return self.c.vm(self.p['node'], self.p['vmid'])

    def can(self, path, priv):
        from .state import has_priv
        return has_priv(self.c.privileges(self.userid, self.token, path), priv)


# --- access ----------------------------------------------------------------------------------
@route('POST', '/access/ticket')
def _ticket(ctx):
    return ctx  # handled by the server (it needs to issue the ticket)


@route('GET', '/version')
def _version(ctx):
    return dict(VERSIONS[ctx.c.profile])


@route('GET', '/nodes')
def _nodes(ctx):
    return [{'node': n, 'status': 'online' if i['online'] else 'offline', 'type': 'node', 'id': 'node/' + n,
             'maxcpu': 16, 'maxmem': 68719476736, 'level': ''} for n, i in ctx.c.nodes.items()]


@route('GET', '/cluster/resources')
def _resources(ctx):
    kinds = {'vm': ('qemu', 'lxc'), 'node': ('node',), 'storage': ('storage',), 'sdn': ('sdn',)}
    wanted = kinds.get(ctx.p.get('type'))
    out = []
    for entry in ctx.c.resources():
        if wanted and entry['type'] not in wanted:
            continue
        if entry['type'] == 'qemu' and not ctx.can('/vms/%d' % entry['vmid'], 'VM.Audit'):
            continue
        out.append(entry)
    return out


@route('GET', '/cluster/nextid')
def _nextid(ctx):
    if 'vmid' in ctx.p:
        vmid = int(ctx.p['vmid'])
        if vmid in ctx.c.vms:
            param_error({'vmid': 'VM %d already exists' % vmid})
        return vmid
    return ctx.c.next_id()


@route('GET', '/cluster/tasks')
def _cluster_tasks(ctx):
    out = []
    for task in ctx.c.tasks[-2000:]:
        entry = task.status()
        if task.exitstatus is not None:
            entry['status'] = task.exitstatus
            entry['endtime'] = task.endtime
        else:
            entry.pop('status')
        out.append(entry)
    return out[::-1]


@route('GET', '/nodes/{node}/tasks/{upid}/status')
def _task_status(ctx):
    ctx.c.node_online(ctx.p['node'])
    return ctx.c.task(ctx.p['upid']).status()


@route('GET', '/nodes/{node}/tasks/{upid}/log')
def _task_log(ctx):
    ctx.c.node_online(ctx.p['node'])
    lines = ctx.c.task(ctx.p['upid']).log
    start = int(ctx.p.get('start', 0))
    limit = int(ctx.p.get('limit', 50))
    return [{'n': i + 1, 't': line} for i, line in enumerate(lines)][start:start + limit]


# --- guests ----------------------------------------------------------------------------------
def _typed(cfg):
    ints = ('cores', 'sockets', 'onboot', 'template', 'vcpus', 'protection', 'balloon', 'numa', 'acpi', 'kvm', 'tablet')
    return {k: (int(v) if k in ints and re.match(r'^-?\d+$', str(v)) else v) for k, v in cfg.items()}


@route('GET', '/nodes/{node}/qemu')
def _qemu_list(ctx):
    ctx.c.node_online(ctx.p['node'])
    out = []
    for vm in ctx.c.vms.values():
        if vm.node == ctx.p['node'] and ctx.can('/vms/%d' % vm.vmid, 'VM.Audit'):
            entry = {'vmid': vm.vmid, 'name': vm.name, 'status': vm.status, 'maxmem': 0, 'maxdisk': vm.maxdisk(),
                     'cpus': int(vm.config.get('cores', 1)), 'uptime': 0}
            if vm.template:
                entry['template'] = 1
            if vm.config.get('tags'):
                entry['tags'] = vm.config['tags']
            out.append(entry)
    return out


@route('GET', '/nodes/{node}/lxc')
def _lxc_list(ctx):
    ctx.c.node_online(ctx.p['node'])
    return []


@route('GET', '/nodes/{node}/qemu/{vmid}/config')
def _config_get(ctx):
    vm = ctx.vm()
    cfg = vm.config if ctx.p.get('current') == '1' else vm.merged()
    cfg = dict(cfg)
    if 'cipassword' in cfg:
        cfg['cipassword'] = '**********'
    if vm.template:
        cfg['template'] = 1
    if vm.lock:
        cfg['lock'] = vm.lock
    cfg['digest'] = vm.digest()
    return _typed(cfg)


@route('GET', '/nodes/{node}/qemu/{vmid}/pending')
def _pending(ctx):
    vm = ctx.vm()
    out = []
    for key in sorted(set(vm.config) | set(vm.pending) | vm.pending_delete):
        entry = {'key': key}
        if key in vm.config:
            entry['value'] = vm.config[key]
        if key in vm.pending:
            entry['pending'] = vm.pending[key]
        if key in vm.pending_delete:
            entry['delete'] = 1
        out.append(entry)
    return out


def _net(cluster, vmid, key, value):
    """Normalise a NIC the way PVE stores it: '<model>=<MAC>,bridge=...' with a generated MAC."""
    opts = parse_opts(value)
    model, mac = net_model(opts)
    for name in ('_', 'model', 'macaddr') + NIC_MODELS:
        opts.pop(name, None)
    mac = (mac or cluster.new_mac(vmid, int(key[3:]))).upper()
    return join_opts(dict({'_': '%s=%s' % (model, mac)}, **opts))


_CONFIG_META = {'node', 'vmid', 'digest', 'delete', 'revert', 'skiplock', 'background_delay', 'force'}


def _apply_config(ctx, vm):
    if ctx.p.get('digest') and ctx.p['digest'] != vm.digest():
        fail('detected modified configuration - file changed by other user? Try again.')
    if not int(ctx.p.get('skiplock', 0)):
        ctx.c.check_lock(vm)
    index = len(vm.disks())
    for key, value in ctx.p.items():
        if key in _CONFIG_META:
            continue
        if key == 'sshkeys':
            value = urllib.parse.quote(urllib.parse.unquote(value), safe='')
        if re.match(r'^(scsi|virtio|sata|ide)\d+$', key) and key not in vm.config and 'media=cdrom' not in value:
            value = ctx.c.alloc_disk(vm.vmid, vm.node, value, index)
            index += 1
        elif re.match(r'^net\d+$', key):
            value = _net(ctx.c, vm.vmid, key, value)
        vm.set(key, value)
    for key in re.split(r'[,; ]+', ctx.p.get('delete', '')):
        if key:
            vm.delete(key)


@route('PUT', '/nodes/{node}/qemu/{vmid}/config')
def _config_put(ctx):
    _apply_config(ctx, ctx.vm())


@route('POST', '/nodes/{node}/qemu/{vmid}/config')
def _config_post(ctx):
    vm = ctx.vm()
    _apply_config(ctx, vm)
    return ctx.c.start_task(vm.node, 'qmconfig', vm.vmid, ctx.user)


@route('POST', '/nodes/{node}/qemu')
def _create(ctx):
    ctx.c.node_online(ctx.p['node'])
    vmid = int(ctx.p['vmid'])
    ctx.c.check_unused(vmid)
    vm = Vm(vmid, ctx.p['node'], {})
    vm.lock = 'create'
    ctx.c.vms[vmid] = vm
    index = 0
    for key, value in ctx.p.items():
        if key in ('node', 'vmid', 'start', 'pool', 'unique', 'archive', 'force', 'storage'):
            continue
        if re.match(r'^(scsi|virtio|sata|ide)\d+$', key) and re.match(r'^[^:,]+:cloudinit$', value):
            storage = value.split(':')[0]
            if storage not in ctx.c.storage:
                fail("storage '%s' does not exist" % storage)
            value = '%s:vm-%d-cloudinit,media=cdrom' % (storage, vmid)
        elif re.match(r'^(scsi|virtio|sata|ide)\d+$', key) and 'media=cdrom' not in value:
            value = ctx.c.alloc_disk(vmid, vm.node, value, index)
            index += 1
        if re.match(r'^net\d+$', key):
            value = _net(ctx.c, vmid, key, value)
        vm.config[key] = value
    vm.config.setdefault('smbios1', 'uuid=00000000-0000-4000-8000-%012x' % vmid)
    if ctx.p.get('pool'):
        _pool_add(ctx.c, ctx.p['pool'], vmid)
    start = ctx.p.get('start') == '1'

    def done():
        vm.lock = None
        if start:
            vm.status, vm.started_at = 'running', time.monotonic()

    return ctx.c.start_task(vm.node, 'qmcreate', vmid, ctx.user, on_done=done, on_error=lambda: _forget(ctx.c, vmid))


def _pool_add(cluster, pool, vmid):
    if pool not in cluster.pools:
        fail("pool '%s' does not exist" % pool)
    vm = cluster.vms[vmid]
    if vm.pool and vm.pool != pool:
        fail('VM %d belongs already to pool %s' % (vmid, vm.pool))
    vm.pool = pool
    cluster.pools[pool]['vms'].add(vmid)


@route('POST', '/nodes/{node}/qemu/{vmid}/clone')
def _clone(ctx):
    src = ctx.vm()
    newid = int(ctx.p['newid'])
    ctx.c.check_unused(newid)
    if src.lock and src.lock != 'clone':
        ctx.c.check_lock(src)
    full = ctx.p.get('full', '0' if src.template else '1') == '1'
    if not full and not src.template:
        fail('Linked clone feature is not supported for drive \'scsi0\'')
    target = ctx.p.get('target', src.node)
    ctx.c.node_online(target)
    if target != src.node:
        for value in src.disks().values():
            storage = parse_opts(value)['_'].partition(':')[0]
            if not int(ctx.c.storage[storage].get('shared', 0)):
                fail("Can't clone to non-shared storage '%s'" % storage)
    cfg = {k: v for k, v in src.config.items() if k not in ('template', 'smbios1', 'vmgenid')}
    cfg['name'] = ctx.p.get('name', 'Copy-of-VM-%s' % src.name)
    if 'description' in ctx.p:
        cfg['description'] = ctx.p['description']
    for key in list(cfg):
        if re.match(r'^net\d+$', key):
            opts = parse_opts(cfg[key])
            model = net_model(opts)[0]
            opts.pop(model, None)
            cfg[key] = _net(ctx.c, newid, key, join_opts(dict({'model': model}, **opts)))
    new = Vm(newid, target, cfg)
    new.lock = 'clone'
    ctx.c.vms[newid] = new
    if ctx.p.get('pool'):
        _pool_add(ctx.c, ctx.p['pool'], newid)
    if not src.template:
        src.lock = 'clone'

    def done():
        new.lock = None
        ctx.c.rename_disks(new, 'vm', src=None if full else src)
        new.config['smbios1'] = 'uuid=00000000-0000-4000-8000-%012x' % newid
        if src.lock == 'clone':
            src.lock = None

    def undo():
        _forget(ctx.c, newid)
        if src.lock == 'clone':
            src.lock = None
    return ctx.c.start_task(src.node, 'qmclone', src.vmid, ctx.user, on_done=done, on_error=undo)


def _forget(cluster, vmid):
    vm = cluster.vms.pop(vmid, None)
    if vm is not None and vm.pool:
        cluster.pools[vm.pool]['vms'].discard(vmid)


@route('POST', '/nodes/{node}/qemu/{vmid}/template')
def _template(ctx):
    vm = ctx.vm()
    ctx.c.check_lock(vm)
    if vm.status == 'running':
        fail('VM %d is running' % vm.vmid)

    def done():
        vm.template = True
        ctx.c.rename_disks(vm, 'base')
    return ctx.c.start_task(vm.node, 'qmtemplate', vm.vmid, ctx.user, on_done=done)


@route('PUT', '/nodes/{node}/qemu/{vmid}/resize')
def _resize(ctx):
    vm = ctx.vm()
    if not int(ctx.p.get('skiplock', 0)):
        ctx.c.check_lock(vm)
    disk = ctx.p['disk']
    if disk not in vm.config:
        fail('disk \'%s\' does not exist' % disk)
    opts = parse_opts(vm.config[disk])
    current = size_to_bytes(opts.get('size', '0'))
    size = ctx.p['size']
    new = current + size_to_bytes(size[1:]) if size.startswith('+') else size_to_bytes(size)
    if new < current:
        fail("shrinking disks is not supported")

    def done():
        opts['size'] = bytes_to_size(new)
        vm.config[disk] = join_opts(opts)
    return ctx.c.start_task(vm.node, 'resize', vm.vmid, ctx.user, on_done=done)


@route('DELETE', '/nodes/{node}/qemu/{vmid}')
def _destroy(ctx):
    vm = ctx.vm()
    ctx.c.check_lock(vm)
    if vm.status == 'running':
        fail('VM %d is running - destroy failed' % vm.vmid)
    vm.lock = 'destroyed'

    def done():
        _forget(ctx.c, vm.vmid)
    return ctx.c.start_task(vm.node, 'qmdestroy', vm.vmid, ctx.user, on_done=done)


@route('GET', '/nodes/{node}/qemu/{vmid}/status/current')
def _status(ctx):
    vm = ctx.vm()
    out = {'vmid': vm.vmid, 'name': vm.name, 'status': vm.status, 'qmpstatus': vm.status,
           'uptime': int(time.monotonic() - vm.started_at) if vm.status == 'running' else 0,
           'cpus': int(vm.config.get('cores', 1)), 'maxmem': 0, 'maxdisk': vm.maxdisk(), 'ha': {'managed': 0}}
    if vm.template:
        out['template'] = 1
    if vm.lock:
        out['lock'] = vm.lock
    if parse_opts(vm.config.get('agent', '0')).get('_') == '1':
        out['agent'] = 1
    return out


def _power(kind, want):
    def handler(ctx):
        vm = ctx.vm()
        if not int(ctx.p.get('skiplock', 0)):
            ctx.c.check_lock(vm)
        if vm.template:
            fail('you can\'t start a vm if it\'s a template')
        if want == 'running' and vm.status == 'running':
            fail('VM %d already running' % vm.vmid)

        def done():
            if want == 'running':
                vm.apply_pending()
                vm.started_at = time.monotonic()
            vm.status = want
        return ctx.c.start_task(vm.node, kind, vm.vmid, ctx.user, on_done=done)
    return handler


route('POST', '/nodes/{node}/qemu/{vmid}/status/start')(_power('qmstart', 'running'))
route('POST', '/nodes/{node}/qemu/{vmid}/status/stop')(_power('qmstop', 'stopped'))
route('POST', '/nodes/{node}/qemu/{vmid}/status/shutdown')(_power('qmshutdown', 'stopped'))


@route('GET', '/nodes/{node}/qemu/{vmid}/snapshot')
def _snapshots(ctx):
    vm = ctx.vm()
    return [{'name': 'current', 'description': 'You are here!', 'digest': vm.digest(), 'running': int(vm.status == 'running')}]


@route('GET', '/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces')
def _agent_ifaces(ctx):
    return ctx.c.agent_interfaces(ctx.vm())


# --- pools -----------------------------------------------------------------------------------
@route('GET', '/pools')
def _pools(ctx):
    return [{'poolid': p, 'comment': i.get('comment', '')} for p, i in sorted(ctx.c.pools.items())]


@route('POST', '/pools')
def _pool_create(ctx):
    if ctx.p['poolid'] in ctx.c.pools:
        fail("pool '%s' already exists" % ctx.p['poolid'])
    ctx.c.pools[ctx.p['poolid']] = {'comment': ctx.p.get('comment', ''), 'vms': set()}


@route('GET', '/pools/{poolid}')
def _pool_get(ctx):
    pool = ctx.c.pools.get(ctx.p['poolid'])
    if pool is None:
        fail("pool '%s' does not exist" % ctx.p['poolid'])
    members = [e for e in ctx.c.resources() if e['type'] == 'qemu' and e['vmid'] in pool['vms']]
    return {'comment': pool.get('comment', ''), 'members': members}


def _pool_update(ctx):
    poolid = ctx.p['poolid']
    if poolid not in ctx.c.pools:
        fail("pool '%s' does not exist" % poolid)
    for vmid in [int(v) for v in re.split(r'[,; ]+', ctx.p.get('vms', '')) if v]:
        if vmid not in ctx.c.vms:
            fail('no such VMID \'%d\'' % vmid)
        vm = ctx.c.vms[vmid]
        if ctx.p.get('delete') == '1':
            ctx.c.pools[poolid]['vms'].discard(vmid)
            vm.pool = None
            continue
        if vm.pool and vm.pool != poolid:
            if ctx.p.get('allow-move') != '1':
                fail('VM %d belongs already to pool %s' % (vmid, vm.pool))
            ctx.c.pools[vm.pool]['vms'].discard(vmid)
            vm.pool = None
        _pool_add(ctx.c, poolid, vmid)
    if 'comment' in ctx.p:
        ctx.c.pools[poolid]['comment'] = ctx.p['comment']


route('PUT', '/pools/{poolid}')(_pool_update)
route('PUT', '/pools')(_pool_update)


# --- storage ---------------------------------------------------------------------------------
@route('GET', '/storage')
def _storage_list(ctx):
    return [dict(s, digest='0' * 40) for s in ctx.c.storage.values()]


@route('GET', '/nodes/{node}/storage/{storage}/content')
def _storage_content(ctx):
    ctx.c.node_online(ctx.p['node'])
    if ctx.p['storage'] not in ctx.c.storage:
        fail("storage '%s' does not exist" % ctx.p['storage'])
    out = list(ctx.c.storage_content.get((ctx.p['node'], ctx.p['storage']), {}).values())
    if ctx.p.get('content'):
        out = [e for e in out if e['content'] == ctx.p['content']]
    return out


@route('POST', '/nodes/{node}/storage/{storage}/download-url')
def _download(ctx):
    ctx.c.node_online(ctx.p['node'])
    key = (ctx.p['node'], ctx.p['storage'])
    if ctx.p['storage'] not in ctx.c.storage:
        fail("storage '%s' does not exist" % ctx.p['storage'])
    if ctx.p['content'] not in ctx.c.storage[ctx.p['storage']]['content'].split(','):
        fail("storage '%s' does not support content-type '%s'" % (ctx.p['storage'], ctx.p['content']))
    volid = '%s:%s/%s' % (ctx.p['storage'], ctx.p['content'], ctx.p['filename'])
    if ctx.p['content'] == 'import' and not re.search(r'\.(qcow2|raw|vmdk|img|ova)$', ctx.p['filename']):
        param_error({'filename': "invalid filename or wrong extension"})
    remote = ctx.c.remote_files.get(ctx.p['url'])

    def done():
        if remote is None:
            raise ApiError(500, "download failed: 404 Not Found (%s)" % ctx.p['url'])
        if ctx.p.get('checksum'):
            algorithm = ctx.p.get('checksum-algorithm', 'sha256')
            if remote['checksums'].get(algorithm) != ctx.p['checksum'].lower():
                raise ApiError(500, "checksum mismatch: got '%s' != expect '%s'"
                               % (remote['checksums'].get(algorithm), ctx.p['checksum'].lower()))
        fmt = ctx.p['filename'].rsplit('.', 1)[-1]
        entry = {'volid': volid, 'content': ctx.p['content'], 'format': 'raw' if fmt in ('raw', 'img') else fmt,
                 'size': remote['size'], 'ctime': int(time.time())}
        ctx.c.storage_content.setdefault(key, {})[volid] = entry
    return ctx.c.start_task(ctx.p['node'], 'download', ctx.p['storage'], ctx.user, on_done=done)


def dispatch(ctx, method, template):
    handler = HANDLERS.get((method, template))
    if handler is None:
        raise ApiError(501, "Method '%s %s' not implemented" % (method, template))
    return handler(ctx)
