# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""proxmox_template: a cloud image becomes a VM template through the API alone (no SSH to the node).

Steps, each skipped when its result exists, so a re-run after a failure goes on where it stopped:
download the image to a storage that holds ``import`` content (``download-url``, checksum verified by
Proxmox VE), create the VM with its disk imported from that file (``import-from``), a cloud-init drive
and a serial console, grow the disk, convert the VM to a template. Idempotent by name.
"""

from __future__ import annotations

import posixpath
import re

from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import ProxmoxError
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.tasks import TaskWaiter
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.vm import (
    NAME,
    config_changes,
    nic_parts,
    parse_opts,
    size_bytes,
    size_text,
)

IMAGE_NAME = re.compile(r'^[\w.+\-]+\.(qcow2|raw|img|vmdk)$')


def image_filename(url, filename=None):
    name = filename or posixpath.basename(urlsplit(url).path)
    if not IMAGE_NAME.match(name or ''):
        raise ProxmoxError('image_filename: %r must be a file name ending in .qcow2, .raw, .img or .vmdk '
                           '(set image_filename when the URL does not end in one)' % (name,))
    return name


def template_config(spec):
    """The config keys a template manages besides its disks (strings, as PVE returns them)."""
    nic = 'virtio,bridge=%s' % spec['bridge'] + (',tag=%d' % spec['vlan'] if spec.get('vlan') else '')
    want = {'name': spec['name'], 'cores': str(spec['cores']), 'memory': str(spec['memory']), 'ostype': spec['ostype'],
            'scsihw': 'virtio-scsi-single', 'agent': '1' if spec['agent'] else '0', 'net0': nic}
    if spec['serial_console']:
        want.update(serial0='socket', vga='serial0')
    if spec.get('tags') is not None:
        want['tags'] = ';'.join(sorted(set(t.lower() for t in spec['tags'])))
    if spec.get('description') is not None:
        want['description'] = spec['description']
    return want


class TemplateRunner:
    def __init__(self, client, spec, check_mode=False, timeout=1800):
        self.client = client
        self.spec = spec
        self.check_mode = check_mode
        self.timeout = timeout
        self.waiter = TaskWaiter(client)
        self.actions = []
        self.diff = {'before': None, 'after': None}

    def _task(self, upid):
        if upid:
            self.waiter.wait(upid, self.timeout)

    def find(self):
        name = self.spec['name']
        found = [r for r in self.client.get('/cluster/resources', type='vm') if r.get('name') == name and r.get('type') == 'qemu']
        if len(found) > 1:
            raise ProxmoxError('name: %d guests carry the name %s (vmids %s); rename or remove the extra ones'
                               % (len(found), name, ', '.join(str(f['vmid']) for f in found)))
        return found[0] if found else None

    def run(self):
        spec = self.spec
        if not NAME.match(spec['name']):
            raise ProxmoxError('name: %r is not a valid DNS name' % spec['name'])
        found = self.find()
        result = {'name': spec['name'], 'node': spec['node']}
        if spec['state'] == 'absent':
            if found:
                if not int(found.get('template') or 0):
                    raise ProxmoxError('%s (vmid %s) is a VM, not a template; it is left alone' % (spec['name'], found['vmid']))
                self.actions.append('destroy template %s (vmid %s)' % (spec['name'], found['vmid']))
                if not self.check_mode:
                    self._task(self.client.delete('/nodes/%s/qemu/%s' % (found['node'], found['vmid']), purge=1))
            result.update(vmid=int(found['vmid']) if found else None, template=False)
            return self._result(result)
        want = template_config(spec)
        if found and int(found.get('template') or 0):
            node, vmid = found['node'], int(found['vmid'])
            current = self.client.get('/nodes/%s/qemu/%d/config' % (node, vmid))
            mac = nic_parts(current.get('net0', ''))[1]
            if mac:
                want['net0'] += ',macaddr=%s' % mac
            changes = config_changes(want, current)
            if changes:
                self.actions.append('configure template %s: %s' % (spec['name'], ', '.join(sorted(changes))))
                self.diff = {'before': {k: current.get(k) for k in changes}, 'after': changes}
                if not self.check_mode:
                    self.client.put('/nodes/%s/qemu/%d/config' % (node, vmid), **changes)
            result.update(vmid=vmid, node=node, template=True)
            return self._result(result)
        if found and found['node'] != spec['node']:
            raise ProxmoxError('%s exists on node %s, not %s' % (spec['name'], found['node'], spec['node']))
        volid = None if found else self._image()      # a VM left by an earlier, failed run has its disk
        vmid = int(found['vmid']) if found else spec.get('vmid') or None
        if not found:
            vmid = vmid or int(self.client.get('/cluster/nextid'))
            self._create(vmid, want, volid)
        current = {} if self.check_mode and not found else self.client.get('/nodes/%s/qemu/%d/config' % (spec['node'], vmid))
        self._grow(vmid, current)
        self.actions.append('convert %s (vmid %d) to a template' % (spec['name'], vmid))
        if not self.check_mode:
            self._task(self.client.post('/nodes/%s/qemu/%d/template' % (spec['node'], vmid)))
        self.diff = {'before': None, 'after': dict(want, vmid=vmid)}
        result.update(vmid=vmid, template=not self.check_mode, image=volid)
        return self._result(result)

    def _image(self):
        spec = self.spec
        filename = image_filename(spec['image_url'], spec.get('image_filename'))
        volid = '%s:import/%s' % (spec['image_storage'], filename)
        content = self.client.get('/nodes/%s/storage/%s/content' % (spec['node'], spec['image_storage']), content='import')
        if any(entry.get('volid') == volid for entry in content):
            return volid
        self.actions.append('download %s to %s' % (spec['image_url'], volid))
        if not self.check_mode:
            params = dict(url=spec['image_url'], content='import', filename=filename)
            params['verify-certificates'] = spec['validate_image_certs']
            if spec.get('image_checksum'):
                algorithm, _sep, digest = spec['image_checksum'].rpartition(':')
                params.update(checksum=digest, **{'checksum-algorithm': algorithm or 'sha256'})
            self._task(self.client.post('/nodes/%s/storage/%s/download-url' % (spec['node'], spec['image_storage']), **params))
        return volid

    def _create(self, vmid, want, volid):
        spec = self.spec
        params = dict(want, vmid=vmid, boot='order=scsi0')
        params['scsi0'] = '%s:0,import-from=%s%s' % (spec['storage'], volid, ',discard=on' if spec['discard'] else '')
        params['ide2'] = '%s:cloudinit' % (spec.get('cloudinit_storage') or spec['storage'])
        self.actions.append('create %s (vmid %d) on %s with disk imported from %s, cloud-init drive%s'
                            % (spec['name'], vmid, spec['node'], volid, ', serial console' if spec['serial_console'] else ''))
        if not self.check_mode:
            self._task(self.client.post('/nodes/%s/qemu' % spec['node'], **params))

    def _grow(self, vmid, current):
        size = self.spec.get('disk_size')
        if not size:
            return
        want = size_bytes(size)
        have = size_bytes(parse_opts(current.get('scsi0', '')).get('size', '0')) if current.get('scsi0') else 0
        if want > have:
            self.actions.append('grow scsi0 of %s to %s' % (self.spec['name'], size_text(want)))
            if not self.check_mode:
                self._task(self.client.put('/nodes/%s/qemu/%d/resize' % (self.spec['node'], vmid), disk='scsi0', size=size_text(want)))

    def _result(self, result):
        result.update(changed=bool(self.actions), actions=self.actions, diff=self.diff)
        return result
