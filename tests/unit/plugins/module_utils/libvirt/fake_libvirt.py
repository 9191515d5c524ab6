# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory stand-in for LibvirtClient: the runners' seam, without libvirtd.

It keeps domains (persistent and live XML, state, autostart), networks, pools and volumes, and
records every mutating call in ``calls`` so tests can assert that check mode changed nothing.
"""

from __future__ import annotations

import uuid as uuidlib
import xml.etree.ElementTree as ET

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtOperationError

CAPS_XML = """<capabilities>
  <host><cpu><arch>x86_64</arch></cpu></host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <machine maxCpus='255'>pc-i440fx-7.2</machine>
      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>
      <machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>
      <domain type='qemu'/>
      %s
    </arch>
  </guest>
</capabilities>"""


class Obj(object):
    def __init__(self, kind, name, **fields):
        self.kind = kind
        self._name = name
        self.__dict__.update(fields)

    def name(self):
        return self._name

    def __repr__(self):
        return '<%s %s>' % (self.kind, self._name)


def _with_uuid(xml, uuid):
    root = ET.fromstring(xml)
    if root.find('uuid') is None:
        elem = ET.Element('uuid')
        elem.text = uuid
        root.insert(1, elem)
    return ET.tostring(root, encoding='unicode')


class FakeLibvirt(object):
    """Implements the LibvirtClient methods the runners call."""

    def __init__(self, kvm=False, shutdown_works=False):
        self.kvm = kvm
        self.shutdown_works = shutdown_works
        self.domains = {}
        self.networks = {}
        self.pools = {}
        self.calls = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    # -- helpers for tests

    def add_pool(self, name, path, pool_type='dir', active=True):
        xml = "<pool type='%s'><name>%s</name><uuid>%s</uuid><target><path>%s</path></target></pool>" % (
            pool_type, name, uuidlib.uuid4(), path)
        pool = Obj('pool', name, xml=xml, live_xml=xml, active=active, autostart=False, volumes={},
                   transient=False)
        self.pools[name] = pool
        return pool

    def add_volume(self, pool_name, name, capacity, fmt='qcow2'):
        pool = self.pools[pool_name]
        path = '%s/%s' % (pool.xml.split('<path>')[1].split('</path>')[0], name)
        vol = Obj('volume', name, capacity=capacity, fmt=fmt, path=path, pool=pool, data=None, backing=None)
        pool.volumes[name] = vol
        return vol

    def mutations(self):
        return list(self.calls)

    def _record(self, *call):
        self.calls.append(call)

    # -- host

    def capabilities(self):
        return CAPS_XML % ("<domain type='kvm'/>" if self.kvm else '')

    # -- domains

    def lookup_domain(self, name):
        return self.domains.get(name)

    def list_domains(self):
        return list(self.domains.values())

    def domain_name(self, dom):
        return dom.name()

    def domain_xml(self, dom, inactive=False):
        return dom.xml if inactive or dom.state != 'running' else dom.live_xml

    def domain_state(self, dom):
        return dom.state

    def domain_autostart(self, dom):
        return dom.autostart

    def set_domain_autostart(self, dom, value):
        self._record('set_domain_autostart', dom.name(), value)
        dom.autostart = value

    def define_domain(self, xml):
        name = ET.fromstring(xml).findtext('name')
        dom = self.domains.get(name)
        self._record('define_domain', name)
        if dom is None:
            dom = Obj('domain', name, xml=None, live_xml=None, state='stopped', autostart=False, attached=[],
                      resized=[])
            self.domains[name] = dom
            xml = _with_uuid(xml, str(uuidlib.uuid4()))
        dom.xml = xml
        return dom

    def undefine_domain(self, dom):
        self._record('undefine_domain', dom.name())
        del self.domains[dom.name()]

    def start_domain(self, dom):
        self._record('start_domain', dom.name())
        dom.state = 'running'
        dom.live_xml = dom.xml

    def resume_domain(self, dom):
        self._record('resume_domain', dom.name())
        dom.state = 'running'

    def shutdown_domain(self, dom):
        self._record('shutdown_domain', dom.name())
        if self.shutdown_works:
            dom.state = 'stopped'

    def destroy_domain(self, dom):
        self._record('destroy_domain', dom.name())
        dom.state = 'stopped'

    def attach_device_live(self, dom, xml):
        self._record('attach_device_live', dom.name())
        root = ET.fromstring(dom.live_xml)
        root.find('devices').append(ET.fromstring(xml))
        dom.live_xml = ET.tostring(root, encoding='unicode')
        dom.attached.append(xml)

    def block_resize(self, dom, target, size):
        self._record('block_resize', dom.name(), target, size)
        root = ET.fromstring(dom.live_xml)
        for disk in root.iter('disk'):
            if disk.find('target').get('dev') == target:
                source = disk.find('source')
                self.pools[source.get('pool')].volumes[source.get('volume')].capacity = size

    # -- networks

    def lookup_network(self, name):
        return self.networks.get(name)

    def network_xml(self, net, inactive=False):
        return net.xml if inactive or not net.active else net.live_xml

    def network_is_active(self, net):
        return net.active

    def network_is_persistent(self, net):
        return True

    def network_autostart(self, net):
        return net.autostart

    def set_network_autostart(self, net, value):
        self._record('set_network_autostart', net.name(), value)
        net.autostart = value

    def define_network(self, xml):
        root = ET.fromstring(xml)
        name = root.findtext('name')
        self._record('define_network', name)
        net = self.networks.get(name)
        if net is None:
            net = Obj('network', name, xml=None, live_xml=None, active=False, autostart=False)
            self.networks[name] = net
            xml = _with_uuid(xml, str(uuidlib.uuid4()))
            root = ET.fromstring(xml)
            bridge = root.find('bridge')
            if bridge is not None and not bridge.get('name'):
                bridge.set('name', 'virbr%d' % len(self.networks))
            if root.find('forward') is None or root.find('forward').get('mode') != 'bridge':
                ET.SubElement(root, 'mac', address='52:54:00:00:00:%02x' % len(self.networks))
            xml = ET.tostring(root, encoding='unicode')
        net.xml = xml
        return net

    def start_network(self, net):
        self._record('start_network', net.name())
        net.active = True
        net.live_xml = net.xml

    def stop_network(self, net):
        self._record('stop_network', net.name())
        net.active = False

    def undefine_network(self, net):
        self._record('undefine_network', net.name())
        del self.networks[net.name()]

    # -- pools

    def lookup_pool(self, name):
        return self.pools.get(name)

    def list_pools(self):
        return list(self.pools.values())

    def pool_name(self, pool):
        return pool.name()

    def pool_xml(self, pool, inactive=False):
        return pool.xml if inactive or not pool.active else pool.live_xml

    def pool_is_active(self, pool):
        return pool.active

    def pool_info(self, pool):
        return (10 * 1024 ** 3, sum(v.capacity for v in pool.volumes.values()), 5 * 1024 ** 3)

    def pool_autostart(self, pool):
        return pool.autostart

    def set_pool_autostart(self, pool, value):
        self._record('set_pool_autostart', pool.name(), value)
        pool.autostart = value

    def define_pool(self, xml):
        root = ET.fromstring(xml)
        name = root.findtext('name')
        self._record('define_pool', name)
        pool = self.pools.get(name)
        if pool is None:
            pool = Obj('pool', name, xml=None, live_xml=None, active=False, autostart=False, volumes={},
                       transient=False)
            self.pools[name] = pool
            xml = _with_uuid(xml, str(uuidlib.uuid4()))
        pool.xml = xml
        return pool

    def create_transient_pool(self, xml):
        pool = self.define_pool(xml)
        self.calls[-1] = ('create_transient_pool', pool.name())
        pool.transient = True
        pool.active = True
        pool.live_xml = pool.xml
        for vol_name, capacity in getattr(self, 'files', {}).get(
                pool.xml.split('<path>')[1].split('</path>')[0], {}).items():
            self.add_volume(pool.name(), vol_name, capacity)
        return pool

    def build_pool(self, pool, no_overwrite=False):
        self._record('build_pool', pool.name(), no_overwrite)

    def start_pool(self, pool):
        self._record('start_pool', pool.name())
        pool.active = True
        pool.live_xml = pool.xml

    def stop_pool(self, pool):
        self._record('stop_pool', pool.name())
        pool.active = False
        if pool.transient:
            del self.pools[pool.name()]

    def delete_pool(self, pool):
        self._record('delete_pool', pool.name())

    def undefine_pool(self, pool):
        self._record('undefine_pool', pool.name())
        del self.pools[pool.name()]

    def refresh_pool(self, pool):
        self._record('refresh_pool', pool.name())

    def list_volumes(self, pool):
        if not pool.active:
            raise LibvirtOperationError('storage pool %s is not active' % pool.name())
        return list(pool.volumes.values())

    # -- volumes

    def lookup_volume(self, pool, name):
        return pool.volumes.get(name)

    def lookup_volume_by_path(self, path):
        for pool in self.pools.values():
            if not pool.active:
                continue
            for vol in pool.volumes.values():
                if vol.path == path:
                    return vol
        return None

    def volume_name(self, vol):
        return vol.name()

    def volume_path(self, vol):
        return vol.path

    def volume_xml(self, vol):
        return ("<volume><name>%s</name><capacity unit='bytes'>%d</capacity><target><path>%s</path>"
                "<format type='%s'/></target></volume>" % (vol.name(), vol.capacity, vol.path, vol.fmt))

    def volume_capacity(self, vol):
        return vol.capacity

    def create_volume(self, pool, xml):
        root = ET.fromstring(xml)
        name = root.findtext('name')
        self._record('create_volume', pool.name(), name)
        vol = self.add_volume(pool.name(), name, int(root.findtext('capacity')),
                              root.find('target/format').get('type'))
        vol.backing = root.findtext('backingStore/path')
        return vol

    def create_volume_from(self, pool, xml, source):
        root = ET.fromstring(xml)
        name = root.findtext('name')
        self._record('create_volume_from', pool.name(), name, source.path)
        return self.add_volume(pool.name(), name, source.capacity, root.find('target/format').get('type'))

    def resize_volume(self, vol, size):
        self._record('resize_volume', vol.name(), size)
        vol.capacity = size

    def delete_volume(self, vol):
        self._record('delete_volume', vol.name())
        del vol.pool.volumes[vol.name()]

    def upload_volume(self, vol, data):
        self._record('upload_volume', vol.name(), len(data))
        vol.data = data
