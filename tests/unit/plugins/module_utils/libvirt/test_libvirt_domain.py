# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy
import hashlib
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.libvirt import domain as dm
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import LibvirtValidationError

BASE = {
    'name': 'vm1', 'state': 'running', 'virt_type': 'qemu', 'cpu_mode': 'auto', 'machine': 'pc',
    'vcpus': 2, 'memory': 1024, 'autostart': False, 'boot': None, 'console_log': None,
    'disks': [], 'nics': [], 'cloud_init': None, 'wait_for_ssh': False, 'ssh_host': None, 'ssh_port': None,
    'wait_timeout': 300, 'shutdown_timeout': 120,
}


def params(**over):
    result = copy.deepcopy(BASE)
    result.update(over)
    return result


def disk(name='root', **over):
    result = {'name': name, 'pool': 'default', 'size': '10G', 'base_image': None, 'clone': 'overlay', 'bus': 'virtio'}
    result.update(over)
    return result


def nic(ntype='network', **over):
    result = {'type': ntype, 'source': 'net1' if ntype != 'user' else None, 'mac': None, 'model': 'virtio',
              'mtu': None, 'port_forwards': None}
    result.update(over)
    return result


def fwd(host_port, guest_port, **over):
    result = {'host_port': host_port, 'guest_port': guest_port, 'host_address': '127.0.0.1', 'protocol': 'tcp'}
    result.update(over)
    return result


# -- MACs and targets -------------------------------------------------------------------------

def test_derive_mac_is_stable_and_prefixed():
    mac = dm.derive_mac('node1', 0)
    digest = hashlib.sha256(b'node1/0').hexdigest()
    assert mac == '52:54:00:%s:%s:%s' % (digest[0:2], digest[2:4], digest[4:6])
    assert dm.derive_mac('node1', 0) == mac
    assert dm.derive_mac('node1', 1) != mac
    assert dm.derive_mac('node2', 0) != mac


@pytest.mark.parametrize('index, target', [(0, 'vda'), (1, 'vdb'), (25, 'vdz'), (26, 'vdaa'), (27, 'vdab')])
def test_disk_target(index, target):
    assert dm.disk_target(index) == target


# -- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize('over, message', [
    ({'vcpus': 0}, 'vcpus must be at least 1, got 0'),
    ({'memory': 32}, 'memory must be at least 64, got 32'),
    ({'name': 'bad/name'}, "name: 'bad/name' is not a valid VM name"),
    ({'disks': [disk(size='10X')]}, "disks[0].size: invalid size '10X'"),
    ({'disks': [disk(), disk('data'), disk('data')]}, "disks: duplicate disk name 'data' (disks[1] and disks[2])"),
    ({'disks': [disk(size=None)]}, 'disks[0].size is required when the disk has no base_image'),
    ({'disks': [disk(base_image='images/base.qcow2')]}, 'disks[0].base_image: ' + repr('images/base.qcow2')),
    ({'disks': [disk(clone='link', base_image='/b.qcow2')]}, "disks[0].clone: unknown clone mode 'link'"),
    ({'disks': [disk('seed')]}, 'disks[0].name: "seed" is reserved'),
    ({'disks': [disk('d%d' % i) for i in range(13)]}, 'disks: at most 12 disks are supported, got 13'),
    ({'nics': [nic(source=None)]}, 'nics[0].source is required for type network'),
    ({'nics': [nic('bridge', source='')]}, 'nics[0].source is required for type bridge'),
    ({'nics': [nic('user', source='x')]}, 'nics[0].source is not used by type user'),
    ({'nics': [nic(port_forwards=[fwd(2222, 22)])]}, 'nics[0].port_forwards is only supported for type user'),
    ({'nics': [nic('user', port_forwards=[{'host_port': 2222, 'guest_port': None}])]},
     'nics[0].port_forwards[0].guest_port is required'),
    ({'nics': [nic('user', port_forwards=[fwd(70000, 22)])]},
     'nics[0].port_forwards[0].host_port must be between 1 and 65535'),
    ({'nics': [nic('user', port_forwards=[fwd(2222, 22)]), nic('user', port_forwards=[fwd(2222, 80)])]},
     'nics[1].port_forwards[0]: host port tcp 127.0.0.1:2222 is already forwarded by nics[0].port_forwards[0]'),
    ({'nics': [nic('user', port_forwards=[fwd(2222, 22), fwd(2222, 80, host_address='0.0.0.0')])]},
     'nics[0].port_forwards[1]: host port tcp 0.0.0.0:2222 is already forwarded'),
    ({'nics': [nic('user', port_forwards=[fwd(2222, 22, host_address='localhost')])]},
     "nics[0].port_forwards[0].host_address: 'localhost' is not an IPv4 address"),
    ({'nics': [nic(mac='52:54:00:zz:00:01')]}, "nics[0].mac: '52:54:00:zz:00:01' is not a MAC address"),
    ({'nics': [nic(mac='01:00:5e:00:00:01')]}, 'nics[0].mac: 01:00:5e:00:00:01 is a multicast address'),
    ({'nics': [nic(mac='52:54:00:00:00:01'), nic(mac='52:54:00:00:00:01')]},
     'nics[1].mac: 52:54:00:00:00:01 is already used by nics[0]'),
    ({'nics': [nic(mtu=10)]}, 'nics[0].mtu must be between 68 and 65535, got 10'),
    ({'nics': [nic('user', model='e1000', mtu=9000)]}, 'nics[0].mtu needs model virtio on a user NIC'),
    ({'nics': [nic() for _i in range(9)]}, 'nics: at most 8 NICs are supported, got 9'),
    ({'wait_for_ssh': True}, 'wait_for_ssh needs ssh_host or a user NIC'),
    ({'cloud_init': {'user': 'Bad User'}}, "cloud_init.user: 'Bad User' is not a valid user name"),
    ({'cloud_init': {'user_data': ['x']}}, 'cloud_init.user_data must be a dict'),
    ({'shutdown_timeout': -1}, 'shutdown_timeout must not be negative, got -1'),
])
def test_validation_names_the_field(over, message):
    with pytest.raises(LibvirtValidationError) as err:
        dm.validate_vm_params(params(**over))
    assert message in str(err.value)


def test_validation_normalises():
    spec = dm.validate_vm_params(params(
        disks=[disk(size=20), disk('data', size='512M', pool=None)],
        nics=[nic('user', mac='52:54:00:AA:BB:CC', port_forwards=[fwd(8080, 80), fwd(2222, 22)]),
              nic()],
        cloud_init={'hostname': None, 'user': None}, wait_for_ssh=True))
    assert [d['size'] for d in spec['disks']] == [20 * 1024 ** 3, 512 * 1024 ** 2]
    assert spec['disks'][1]['pool'] == 'default'
    assert spec['nics'][0]['mac'] == '52:54:00:aa:bb:cc'
    assert spec['nics'][1]['mac'] == dm.derive_mac('vm1', 1)
    assert [f['host_port'] for f in spec['nics'][0]['port_forwards']] == [2222, 8080]
    assert spec['cloud_init']['hostname'] == 'vm1'
    assert spec['cloud_init']['instance_id'] == 'vm1'
    assert spec['cloud_init']['user'] == 'debian'
    assert spec['ssh'] == ('127.0.0.1', 2222)


def test_ssh_target_prefers_ssh_host_and_maps_any_address():
    spec = dm.validate_vm_params(params(ssh_host='192.0.2.10', wait_for_ssh=True))
    assert spec['ssh'] == ('192.0.2.10', 22)
    spec = dm.validate_vm_params(params(nics=[nic('user', port_forwards=[fwd(2201, 22, host_address='0.0.0.0')])]))
    assert spec['ssh'] == ('127.0.0.1', 2201)


# -- capabilities -----------------------------------------------------------------------------

CAPS = """<capabilities><host><cpu><arch>x86_64</arch></cpu></host>
<guest><os_type>hvm</os_type><arch name='x86_64'>
<machine>pc-i440fx-7.2</machine><machine canonical='pc-i440fx-7.2'>pc</machine>
<domain type='qemu'/>%s</arch></guest>
<guest><os_type>hvm</os_type><arch name='i686'><domain type='qemu'/><domain type='kvm'/></arch></guest>
</capabilities>"""


@pytest.mark.parametrize('kvm, expected', [(True, 'kvm'), (False, 'qemu')])
def test_resolve_virt_type_auto(kvm, expected):
    caps = dm.parse_capabilities(CAPS % ("<domain type='kvm'/>" if kvm else ''))
    assert caps['arch'] == 'x86_64'
    assert caps['guests']['x86_64']['machines']['pc'] == 'pc-i440fx-7.2'
    assert dm.resolve_virt_type('auto', caps) == expected


def test_resolve_virt_type_refuses_what_the_host_lacks():
    caps = dm.parse_capabilities(CAPS % '')
    with pytest.raises(LibvirtValidationError, match='virt_type: this host offers qemu domains, not kvm'):
        dm.resolve_virt_type('kvm', caps)


@pytest.mark.parametrize('requested, virt_type, expected', [
    ('auto', 'kvm', 'host-passthrough'), ('auto', 'qemu', 'maximum'), ('host-model', 'qemu', 'host-model'),
    ('maximum', 'kvm', 'maximum')])
def test_resolve_cpu_mode(requested, virt_type, expected):
    assert dm.resolve_cpu_mode(requested, virt_type) == expected


def test_host_passthrough_needs_kvm():
    with pytest.raises(LibvirtValidationError, match='cpu_mode: host-passthrough needs virt_type kvm'):
        dm.resolve_cpu_mode('host-passthrough', 'qemu')


# -- XML round trip ---------------------------------------------------------------------------

def _model(machine='pc', boot=None, console_log=None):
    spec = dm.validate_vm_params(params(
        machine=machine, boot=boot, console_log=console_log,
        disks=[disk(), disk('data', size='1G', pool='fast')],
        nics=[nic('user', mtu=1400, port_forwards=[fwd(2222, 22), fwd(5353, 53, protocol='udp')]),
              nic('network', source='lab', mtu=9000), nic('bridge', source='br0', model='e1000')]))
    disks = [{'name': 'root', 'pool': 'default', 'volume': 'vm1-root.qcow2', 'format': 'qcow2', 'bus': 'virtio'},
             {'name': 'data', 'pool': 'fast', 'volume': 'vm1-data', 'format': 'raw', 'bus': 'virtio'}]
    meta = {'machine': machine, 'seed_hash': 'abc', 'volumes': [('default', 'vm1-root.qcow2'), ('fast', 'vm1-data')]}
    return dm.desired_model(spec, 'qemu', 'maximum', 'x86_64', disks, {'pool': 'default', 'volume': 'vm1-seed.iso'},
                            meta)


@pytest.mark.parametrize('machine, boot, console_log', [
    ('pc', None, None),
    ('q35', {'kernel': '/boot/vmlinuz', 'initrd': '/boot/initrd.img', 'cmdline': 'root=/dev/vda console=ttyS0'},
     '/var/log/vm1.log'),
])
def test_build_parse_round_trip(machine, boot, console_log):
    model = _model(machine, boot, console_log)
    parsed = dm.parse_domain_xml(dm.build_domain_xml(model))
    assert dm.config_view(parsed) == dm.config_view(model)
    assert dm.meta_view(parsed) == dm.meta_view(model)


def test_layout_is_pinned():
    root = ET.fromstring(dm.build_domain_xml(_model()))
    disks = root.findall('devices/disk[@device="disk"]')
    assert [d.find('target').get('dev') for d in disks] == ['vda', 'vdb']
    assert [d.find('address').get('slot') for d in disks] == ['0x08', '0x09']
    ifaces = root.findall('devices/interface')
    assert [i.find('address').get('slot') for i in ifaces] == ['0x15', '0x16']
    args = [a.get('value') for a in root.findall('{%s}commandline/{%s}arg' % (dm.QEMU_NS, dm.QEMU_NS))]
    assert args[0:2] == ['-netdev', 'user,id=strata-nic0,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp:127.0.0.1:5353-:53']
    assert args[2] == '-device'
    assert args[3].startswith('virtio-net-pci,netdev=strata-nic0,')
    assert 'bus=pci.0' in args[3] and 'addr=0x14' in args[3] and 'host_mtu=1400' in args[3]
    assert root.find('cpu').get('mode') == 'maximum'
    assert root.find('devices/disk[@device="cdrom"]/target').get('bus') == 'sata'


def test_q35_user_nic_on_pcie_root():
    root = ET.fromstring(dm.build_domain_xml(_model('q35')))
    args = [a.get('value') for a in root.findall('{%s}commandline/{%s}arg' % (dm.QEMU_NS, dm.QEMU_NS))]
    assert 'bus=pcie.0' in args[3]


def test_changed_field_is_a_difference():
    model = _model()
    other = copy.deepcopy(model)
    other['memory'] = 2048
    assert dm.config_view(other) != dm.config_view(model)
    other = copy.deepcopy(model)
    other['nics'][0]['port_forwards'][0]['host_port'] = 2223
    assert dm.config_view(other) != dm.config_view(model)


LIBVIRT_LIVE_XML = """<domain type='qemu' id='3' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>vm1</name>
  <uuid>3f5b8c64-6a43-4a53-9a33-0d2d3d6c1c11</uuid>
  <metadata>
    <strata:vm xmlns:strata="https://strata.cloud/xmlns/libvirt/vm/1">
      <strata:machine>pc</strata:machine>
      <strata:volumes><strata:volume pool="default" name="vm1-root.qcow2"/></strata:volumes>
    </strata:vm>
  </metadata>
  <memory unit='KiB'>1048576</memory>
  <currentMemory unit='KiB'>1048576</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><boot dev='hd'/></os>
  <cpu mode='custom' match='exact' check='full'><model fallback='forbid'>Skylake-Client</model></cpu>
  <devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source pool='default' volume='vm1-root.qcow2' index='2'/>
      <backingStore type='file' index='3'><format type='qcow2'/><source file='/srv/base.qcow2'/></backingStore>
      <target dev='vda' bus='virtio'/>
      <alias name='virtio-disk0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x08' function='0x0'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/var/lib/libvirt/images/other.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:AB:CD:EF'/>
      <source network='lab' portid='x' bridge='virbr1'/>
      <target dev='vnet0'/>
      <model type='virtio'/>
      <alias name='net0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x15' function='0x0'/>
    </interface>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='user,id=strata-nic0,hostfwd=tcp::2222-:22'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='e1000,netdev=strata-nic0,id=strata-nic0-dev,mac=52:54:00:12:34:56,bus=pci.0,addr=0x14'/>
  </qemu:commandline>
</domain>"""


def test_parse_libvirt_xml():
    model = dm.parse_domain_xml(LIBVIRT_LIVE_XML)
    assert model['memory'] == 1024
    assert model['vcpus'] == 2
    assert model['machine'] == 'pc-i440fx-7.2'
    assert model['meta']['machine'] == 'pc'
    assert model['meta']['volumes'] == [('default', 'vm1-root.qcow2')]
    assert [d['name'] for d in model['disks']] == ['root', 'vdb']
    assert model['disks'][1]['path'] == '/var/lib/libvirt/images/other.img'
    assert [n['type'] for n in model['nics']] == ['user', 'network']      # ordered by PCI slot
    assert model['nics'][0]['model'] == 'e1000'
    assert model['nics'][0]['port_forwards'] == [
        {'protocol': 'tcp', 'host_address': '0.0.0.0', 'host_port': 2222, 'guest_port': 22}]
    assert model['nics'][1]['mac'] == '52:54:00:ab:cd:ef'
    assert model['nics'][1]['source'] == 'lab'
    assert dm.config_view(model)['machine'] == 'pc'
    assert dm.managed_by_strata(model)


def test_live_host_model_cpu_matches_desired_host_model():
    live = dm.parse_domain_xml(LIBVIRT_LIVE_XML)
    desired = copy.deepcopy(live)
    desired['cpu_mode'] = 'host-model'
    assert dm.config_view(live, live=True, desired=desired)['cpu_mode'] == 'host-model'
    assert dm.config_view(live)['cpu_mode'] == 'custom'


def test_vm_view():
    model = dm.parse_domain_xml(LIBVIRT_LIVE_XML)
    view = dm.vm_view(model, 'running', True, {('default', 'vm1-root.qcow2'): (1024, '/p/vm1-root.qcow2')})
    assert view['disks'][0]['size'] == 1024
    assert view['disks'][0]['path'] == '/p/vm1-root.qcow2'
    assert view['disks'][1]['size'] is None
    assert view['port_forwards'] == [{'protocol': 'tcp', 'host_address': '0.0.0.0', 'host_port': 2222,
                                      'guest_port': 22, 'nic': 0}]
    assert view['state'] == 'running' and view['autostart'] is True
