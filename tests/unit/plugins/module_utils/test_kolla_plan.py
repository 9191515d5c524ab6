# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.kolla_plan import inventory_text, plan

NETS = {'api': {'cidr': '10.94.0.0/24'}, 'public': {'cidr': '192.0.2.0/24'}, 'tunnel': {'cidr': '10.94.1.0/24'}}
HOSTVARS = {
    'ctl1': {'strata_interfaces': {'api': {'device': 'ens21', 'address': '10.94.0.11'},
                                   'public': {'device': 'ens22', 'address': '192.0.2.11'}},
             'ansible_host': '127.0.0.1', 'ansible_port': 2481, 'ansible_user': 'kolla',
             'ansible_ssh_common_args': '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'},
    'cmp1': {'strata_interfaces': {'api': {'device': 'eth1', 'address': '10.94.0.21'}}},
}
GROUPS = {'openstack_control': ['ctl1'], 'openstack_network': ['ctl1'], 'openstack_compute': ['cmp1'],
          'openstack_storage': []}
BASE = {'internal_vip': '10.94.0.250', 'services': ['keystone']}

EXAMPLE = """# example header comment
[control]
# hostnames
control01
control02

[network]
network01

[compute]
compute01

[monitoring]
monitoring01

[storage]
storage01

[deployment]
localhost       ansible_connection=local

[baremetal:children]
control
compute

# Common services
[common:children]
control
network
compute
"""


def run(**extra):
    return plan(dict(BASE, **extra), HOSTVARS, GROUPS, NETS)


def test_globals_from_the_model():
    result = run(services=['keystone', 'glance'], registry='registry.lab:4000', registry_namespace='kolla')
    assert result['errors'] == []
    g = result['globals']
    assert g['kolla_internal_vip_address'] == '10.94.0.250'
    assert g['kolla_external_vip_address'] == '10.94.0.250'
    assert g['enable_keystone'] is True and g['enable_glance'] is True
    assert g['enable_nova'] is False and g['enable_openstack_core'] is False
    assert g['enable_rabbitmq'] is False
    assert g['docker_registry'] == 'registry.lab:4000' and g['docker_namespace'] == 'kolla'
    assert g['kolla_base_distro'] == 'debian' and g['openstack_release'] == '2026.1'
    assert 'openstack_tag' not in g
    # Interfaces are per host (inventory), never in globals.yml (extra vars would override every host).
    assert 'api_interface' not in g and 'network_interface' not in g


def test_interfaces_per_host_from_named_networks():
    result = run(external_network='public', external_vip='192.0.2.250', tunnel_network='tunnel')
    assert result['errors'] == [
        'hostvars[ctl1].strata_interfaces.tunnel.device: missing; Kolla-Ansible needs the device of network tunnel '
        '(kolla_deploy_tunnel_network) for tunnel_interface',
        'hostvars[cmp1].strata_interfaces.tunnel.device: missing; Kolla-Ansible needs the device of network tunnel '
        '(kolla_deploy_tunnel_network) for tunnel_interface',
    ]
    ok = run(external_network='public', external_vip='192.0.2.250')
    assert ok['errors'] == []
    hosts = ok['hosts']
    assert 'kolla_external_vip_interface' not in hosts['cmp1']
    assert hosts['cmp1']['api_interface'] == 'eth1' and hosts['cmp1']['network_interface'] == 'eth1'
    assert hosts['ctl1']['kolla_external_vip_interface'] == 'ens22'
    assert ok['globals']['kolla_external_vip_address'] == '192.0.2.250'


def test_missing_interface_device_named():
    result = run(tunnel_network='tunnel')
    assert ('hostvars[ctl1].strata_interfaces.tunnel.device: missing; Kolla-Ansible needs the device of network '
            'tunnel (kolla_deploy_tunnel_network) for tunnel_interface') in result['errors']
    assert result['images'] == []


def test_groups_mapped_to_kolla_top_level_groups():
    result = run()
    assert result['groups'] == {'control': ['ctl1'], 'network': ['ctl1'], 'compute': ['cmp1'], 'storage': [],
                                'monitoring': ['ctl1']}


@pytest.mark.parametrize('extra,expected', [
    ({'api_network': 'mgmt'}, "kolla_deploy_api_network: 'mgmt' is not a network of strata_networks (defined: api, public, tunnel)"),
    ({'internal_vip': '10.95.0.250'}, 'kolla_deploy_internal_vip: 10.95.0.250 is outside the api network 10.94.0.0/24'),
    ({'internal_vip': '10.94.0.11'}, 'kolla_deploy_internal_vip: 10.94.0.11 is the address of host ctl1 (strata_interfaces.api.address)'),
    ({'internal_vip': '10.94.0.255'}, 'kolla_deploy_internal_vip: 10.94.0.255 is outside the api network'),
    ({'internal_vip': 'vip'}, "kolla_deploy_internal_vip: 'vip' is not an IP address"),
    ({'internal_vip': ''}, 'kolla_deploy_internal_vip: missing'),
    ({'container_engine': 'containerd'}, "kolla_deploy_container_engine: 'containerd' is not supported; use one of docker, podman"),
    ({'services': ['keystone', 'nova']}, 'kolla_deploy_services: nova needs glance, placement, neutron'),
    ({'services': ['glance']}, 'kolla_deploy_services: glance needs keystone'),
    ({'services': ['keystone', 'swift']}, "kolla_deploy_services: unknown service 'swift'"),
    ({'services': []}, 'kolla_deploy_services: must be a non-empty list'),
    ({'registry': 'https://registry.lab/kolla'}, "kolla_deploy_registry: 'https://registry.lab/kolla' is not a registry host[:port]"),
    ({'registry': 'quay.io'}, 'kolla_deploy_registry: quay.io/openstack.kolla holds test images only'),
    ({'registry_namespace': 'Kolla Images'}, "kolla_deploy_registry_namespace: 'Kolla Images' is not an image namespace"),
    ({'image_tag': 'bad tag'}, "kolla_deploy_image_tag: 'bad tag' is not an image tag"),
    ({'nova_virt_type': 'xen'}, "kolla_deploy_nova_virt_type: 'xen' is not supported"),
    ({'groups': {'control': 'nobody'}}, "kolla_deploy_groups.control: inventory group(s) 'nobody' have no hosts"),
    ({'groups': {'control': 'openstack_control', 'controller': 'x'}}, 'kolla_deploy_groups: unknown Kolla groups controller'),
    ({'globals': ['enable_cinder']}, 'kolla_deploy_globals: must be a mapping'),
    ({'external_network': 'public', 'external_vip': '10.94.0.250'},
     'kolla_deploy_external_vip: 10.94.0.250 is outside the public network 192.0.2.0/24'),
])
def test_errors_name_the_variable(extra, expected):
    result = run(**extra)
    assert any(expected in e for e in result['errors']), result['errors']
    assert result['images'] == []


def test_test_images_allowed_explicitly():
    assert run(registry='quay.io', use_test_images=True)['errors'] == []


def test_images_for_keystone_only():
    result = run(registry='registry.lab:4000', registry_namespace='kolla')
    assert result['images'] == [
        'registry.lab:4000/kolla/%s:2026.1-debian-trixie' % name for name in (
            'cron', 'fluentd', 'haproxy', 'keepalived', 'keystone', 'keystone-fernet', 'keystone-ssh',
            'kolla-toolbox', 'mariadb-server', 'memcached', 'proxysql')]


def test_images_add_rabbitmq_and_openvswitch_with_rpc_services():
    result = run(services=['keystone', 'glance', 'placement', 'neutron', 'nova'], image_tag='2026.1-mirror')
    names = [ref.split('/')[-1] for ref in result['images']]
    assert 'rabbitmq:2026.1-mirror' in names
    assert 'openvswitch-vswitchd:2026.1-mirror' in names and 'nova-libvirt:2026.1-mirror' in names
    assert all(ref.startswith('openstack.kolla/') for ref in result['images'])
    assert result['globals']['openstack_tag'] == '2026.1-mirror'
    assert result['globals']['enable_rabbitmq'] is True
    assert len(names) == len(set(names))


def test_images_follow_globals_override_of_nothing_but_settings():
    a = run(services=['keystone', 'heat'])['images']
    b = run(services=['keystone', 'heat', 'horizon'])['images']
    assert set(b) - set(a) == {'openstack.kolla/horizon:2026.1-debian-trixie'}


def test_globals_override_merged_last():
    result = run(globals={'enable_fluentd': False, 'kolla_internal_fqdn': 'cloud.lab'})
    assert result['globals']['enable_fluentd'] is False
    assert result['globals']['kolla_internal_fqdn'] == 'cloud.lab'


def test_inventory_replaces_example_hosts_and_keeps_children():
    text = inventory_text(EXAMPLE, run(), header='# managed', deployment={'ansible_python_interpreter': '/opt/ka/bin/python'})
    assert text.startswith('# managed\n[control]\nctl1 ')
    assert 'control01' not in text and 'compute01' not in text and 'monitoring01' not in text
    assert "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'" in text
    assert '[compute]\ncmp1 api_interface=eth1 network_interface=eth1\n' in text
    assert '[deployment]\nlocalhost ansible_connection=local ansible_python_interpreter=/opt/ka/bin/python\n' in text
    assert '[common:children]\ncontrol\nnetwork\ncompute\n' in text
    assert '# Common services' not in text
