# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import copy

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes import plan as kplan

NETS = {'mgmt': {'cidr': '10.40.0.0/24'}, 'k8s': {'cidr': '10.41.0.0/24', 'vlan': 41},
        'storage': {'cidr': '10.42.0.0/24', 'vlan': 42}}


def hosts(cps, workers):
    hv = {}
    for index, name in enumerate(cps + workers):
        hv[name] = {'strata_interfaces': {'k8s': {'device': 'eth1', 'address': '10.41.0.%d' % (11 + index)},
                                          'mgmt': {'device': 'eth0', 'address': '10.40.0.%d' % (11 + index)}}}
    return hv, {'k8s_control_plane': cps, 'k8s_workers': workers, 'all': cps + workers}


def make(cluster=None, cps=('cp1',), workers=('w1', 'w2'), networks=None):
    hv, groups = hosts(list(cps), list(workers))
    base = {'version': '1.31.4', 'api_network': 'k8s'}
    if len(cps) > 1:
        base['vip'] = '10.41.0.250'
    base.update(cluster or {})
    return kplan.plan(base, NETS if networks is None else networks, hv, groups)


def by_kind(result):
    return dict((d['kind'], d) for d in result['documents'])


def test_single_control_plane_renders_v1beta4():
    result = make()
    assert result['errors'] == []
    docs = by_kind(result)
    cluster = docs['ClusterConfiguration']
    assert cluster['apiVersion'] == 'kubeadm.k8s.io/v1beta4'
    assert docs['InitConfiguration']['apiVersion'] == 'kubeadm.k8s.io/v1beta4'
    assert docs['KubeletConfiguration']['apiVersion'] == 'kubelet.config.k8s.io/v1beta1'
    assert docs['KubeProxyConfiguration']['apiVersion'] == 'kubeproxy.config.k8s.io/v1alpha1'
    assert cluster['kubernetesVersion'] == 'v1.31.4'
    assert cluster['controlPlaneEndpoint'] == '10.41.0.11:6443'
    assert cluster['networking'] == {'podSubnet': '10.244.0.0/16', 'serviceSubnet': '10.96.0.0/12',
                                     'dnsDomain': 'cluster.local'}
    init = docs['InitConfiguration']
    assert init['localAPIEndpoint'] == {'advertiseAddress': '10.41.0.11', 'bindPort': 6443}
    # v1beta4: extraArgs are lists of {name, value}
    assert init['nodeRegistration']['kubeletExtraArgs'] == [{'name': 'node-ip', 'value': '10.41.0.11'}]
    assert docs['KubeletConfiguration']['cgroupDriver'] == 'systemd'
    assert docs['KubeletConfiguration']['clusterDNS'] == ['10.96.0.10']
    assert result['ha'] is False and result['ha_mode'] == 'none'
    assert [s['action'] for s in result['join_order']] == ['init', 'join-worker', 'join-worker']


def test_before_1_31_renders_v1beta3_with_mapping_extra_args():
    result = make({'version': '1.30.6'})
    assert result['errors'] == []
    docs = by_kind(result)
    assert docs['ClusterConfiguration']['apiVersion'] == 'kubeadm.k8s.io/v1beta3'
    assert docs['InitConfiguration']['nodeRegistration']['kubeletExtraArgs'] == {'node-ip': '10.41.0.11'}
    assert docs['ClusterConfiguration']['controllerManager']['extraArgs'] == {'node-cidr-mask-size': '24'}


def test_ha_kube_vip_endpoint_is_vip_and_join_order_serial():
    result = make(cps=('cp1', 'cp2', 'cp3'))
    assert result['errors'] == []
    cluster = by_kind(result)['ClusterConfiguration']
    assert cluster['controlPlaneEndpoint'] == '10.41.0.250:6443'
    assert cluster['apiServer']['certSANs'][:4] == ['10.41.0.250', '10.41.0.11', '10.41.0.12', '10.41.0.13']
    assert result['ha_mode'] == 'kube-vip'
    assert result['join_order'] == [
        {'host': 'cp1', 'action': 'init', 'serial': True},
        {'host': 'cp2', 'action': 'join-control-plane', 'serial': True},
        {'host': 'cp3', 'action': 'join-control-plane', 'serial': True},
        {'host': 'w1', 'action': 'join-worker', 'serial': False},
        {'host': 'w2', 'action': 'join-worker', 'serial': False}]
    assert result['api_device'] == {'cp1': 'eth1', 'cp2': 'eth1', 'cp3': 'eth1'}
    images = [a['name'] for a in result['artifacts'] if a['kind'] == 'image']
    assert 'ghcr.io/kube-vip/kube-vip' in images


def test_ha_keepalived_endpoint_uses_front_end_port_and_packages():
    result = make({'ha_mode': 'keepalived'}, cps=('cp1', 'cp2', 'cp3'))
    assert result['errors'] == []
    assert result['endpoint'] == '10.41.0.250:8443'
    packages = [a['name'] for a in result['artifacts'] if a['kind'] == 'package']
    assert 'keepalived' in packages and 'haproxy' in packages
    assert 'ghcr.io/kube-vip/kube-vip' not in [a['name'] for a in result['artifacts']]


def test_overrides_merge_into_documents():
    result = make({'overrides': {'kubelet': {'maxPods': 150}, 'cluster': {'apiServer': {'extraArgs': [
        {'name': 'audit-log-path', 'value': '/var/log/audit.log'}]}}}})
    assert result['errors'] == []
    docs = by_kind(result)
    assert docs['KubeletConfiguration']['maxPods'] == 150
    assert docs['KubeletConfiguration']['cgroupDriver'] == 'systemd'
    assert docs['ClusterConfiguration']['apiServer']['certSANs'] == ['10.41.0.11', 'cp1']
    assert docs['ClusterConfiguration']['apiServer']['extraArgs'][0]['name'] == 'audit-log-path'


def test_override_that_breaks_a_requirement_is_caught_after_merge():
    result = make({'overrides': {'cluster': {'networking': {'podSubnet': '10.42.0.0/16'}}}})
    assert any('networking.podSubnet 10.42.0.0/16 overlaps strata_networks.' in e for e in result['errors']), result['errors']


def test_artifacts_list_versions_and_mirror_variables():
    result = make({'cni': 'cilium', 'image_registry': 'mirror.example:5000', 'ceph_csi': True,
                   'metallb_pools': [{'name': 'lb', 'network': 'mgmt', 'addresses': '10.40.0.200-10.40.0.220'}]})
    assert result['errors'] == []
    arts = dict(((a['kind'], a['name']), a) for a in result['artifacts'])
    assert arts[('package', 'kubeadm')]['version'] == '1.31.4'
    assert arts[('package', 'kubeadm')]['source'] == 'https://pkgs.k8s.io/core:/stable:/v1.31/deb/'
    assert 'strata_kubernetes.package_repository' in arts[('package', 'kubelet')]['mirror_variable']
    api = arts[('image', 'registry.k8s.io/kube-apiserver')]
    assert api['version'] == 'v1.31.4'
    assert api['reference'] == 'mirror.example:5000/kube-apiserver:v1.31.4'
    assert arts[('image', 'registry.k8s.io/etcd')]['version'] == '3.5.15-0'
    assert arts[('image', 'registry.k8s.io/pause')]['version'] == '3.10'
    assert ('image', 'quay.io/cilium/cilium') in arts
    assert ('image', 'quay.io/calico/node') not in arts
    assert ('image', 'quay.io/metallb/speaker') in arts
    assert ('image', 'quay.io/cephcsi/cephcsi') in arts
    assert by_kind(result)['ClusterConfiguration']['imageRepository'] == 'mirror.example:5000'


def test_image_version_override():
    result = make({'image_versions': {'etcd': '3.5.17-0'}})
    arts = dict(((a['kind'], a['name']), a) for a in result['artifacts'])
    assert arts[('image', 'registry.k8s.io/etcd')]['version'] == '3.5.17-0'
    cluster = by_kind(result)['ClusterConfiguration']
    assert cluster['etcd']['local']['imageTag'] == '3.5.17-0'
    assert 'dns' not in cluster


def test_chosen_coredns_version_is_pinned_and_defaults_are_not():
    cluster = by_kind(make({'image_versions': {'coredns': 'v1.12.2'}}))['ClusterConfiguration']
    assert cluster['dns'] == {'imageTag': 'v1.12.2'}
    assert 'imageTag' not in cluster['etcd']['local']
    default = by_kind(make())['ClusterConfiguration']
    assert 'dns' not in default and 'imageTag' not in default['etcd']['local']


BAD = {
    'even etcd members in stacked HA': (
        {}, ('cp1', 'cp2'), "strata_kubernetes.control_plane_group: group 'k8s_control_plane' has 2 hosts"),
    'four control planes': (
        {}, ('cp1', 'cp2', 'cp3', 'cp4'), 'use 1, 3 or 5 control-plane hosts'),
    'pod CIDR overlapping a host network': (
        {'pod_cidr': '10.40.0.0/16'}, ('cp1',),
        'strata_kubernetes.pod_cidr: 10.40.0.0/16 overlaps strata_networks.mgmt.cidr 10.40.0.0/24'),
    'service CIDR overlapping a host network': (
        {'service_cidr': '10.42.0.0/24'}, ('cp1',),
        'strata_kubernetes.service_cidr: 10.42.0.0/24 overlaps strata_networks.storage.cidr'),
    'pod and service overlap': (
        {'pod_cidr': '10.96.0.0/16'}, ('cp1',), 'strata_kubernetes.service_cidr: 10.96.0.0/12 overlaps strata_kubernetes.pod_cidr'),
    'VIP outside the API network': (
        {'vip': '10.40.0.250'}, ('cp1', 'cp2', 'cp3'),
        'strata_kubernetes.vip: 10.40.0.250 is outside the API network strata_networks.k8s.cidr 10.41.0.0/24'),
    'VIP used by a host': (
        {'vip': '10.41.0.12'}, ('cp1', 'cp2', 'cp3'),
        'strata_kubernetes.vip: 10.41.0.12 is already used by hostvars[cp2].strata_interfaces.k8s'),
    'VIP missing in HA': (
        {'vip': ''}, ('cp1', 'cp2', 'cp3'), 'strata_kubernetes.vip: missing; 3 control-plane hosts'),
    'unsupported version': (
        {'version': '1.27.3'}, ('cp1',), 'strata_kubernetes.version: 1.27.3 is not supported'),
    'not a version': (
        {'version': 'latest'}, ('cp1',), "strata_kubernetes.version: 'latest' is not a Kubernetes version"),
    'unknown API network': (
        {'api_network': 'nope'}, ('cp1',), "strata_kubernetes.api_network: 'nope' is not a network in strata_networks"),
    'unknown CNI': (
        {'cni': 'weave'}, ('cp1',), "strata_kubernetes.cni: 'weave' is not supported"),
    'unknown HA mode': (
        {'ha_mode': 'vrrp'}, ('cp1',), "strata_kubernetes.ha_mode: 'vrrp' is not supported"),
    'unknown key': (
        {'pod_subnet': '10.1.0.0/16'}, ('cp1',), 'strata_kubernetes: unknown keys pod_subnet'),
    'kube-proxy none without cilium': (
        {'kube_proxy_mode': 'none'}, ('cp1',), 'kube_proxy_mode: none needs cni cilium'),
    'service range too large': (
        {'service_cidr': '10.96.0.0/11'}, ('cp1',), 'larger than the /12'),
    'node mask shorter than pod range': (
        {'pod_cidr': '10.244.0.0/24'}, ('cp1',), 'strata_kubernetes.node_cidr_mask: /24 must be longer'),
    'override sets apiVersion': (
        {'overrides': {'kubelet': {'apiVersion': 'v1'}}}, ('cp1',), 'strata_kubernetes.overrides.kubelet: apiVersion'),
    'metallb pool outside its network': (
        {'metallb_pools': [{'name': 'lb', 'network': 'mgmt', 'addresses': '10.41.0.200-10.41.0.210'}]}, ('cp1',),
        'strata_kubernetes.metallb_pools[0].addresses: 10.41.0.200-10.41.0.210 is not inside strata_networks.mgmt.cidr'),
    'metallb pool over a host address': (
        {'metallb_pools': [{'name': 'lb', 'network': 'mgmt', 'addresses': '10.40.0.0/28'}]}, ('cp1',),
        'contains 10.40.0.11, already used by hostvars[cp1].strata_interfaces.mgmt'),
    'no control plane': (
        {}, (), "strata_kubernetes.control_plane_group: group 'k8s_control_plane' has no hosts"),
}


@pytest.mark.parametrize('case', sorted(BAD))
def test_bad_input_names_the_field(case):
    cluster, cps, expected = BAD[case]
    result = make(cluster, cps=cps)
    assert any(expected in e for e in result['errors']), result['errors']
    assert 'documents' not in result or not result['errors']


def test_host_without_api_address():
    hv, groups = hosts(['cp1'], ['w1'])
    del hv['w1']['strata_interfaces']['k8s']
    result = kplan.plan({'version': '1.31.1', 'api_network': 'k8s'}, NETS, hv, groups)
    assert 'hostvars[w1].strata_interfaces.k8s.address: missing' in result['errors'][0]


def test_kube_vip_needs_a_device():
    hv, groups = hosts(['cp1', 'cp2', 'cp3'], [])
    hv['cp2']['strata_interfaces']['k8s'].pop('device')
    result = kplan.plan({'version': '1.31.1', 'api_network': 'k8s', 'vip': '10.41.0.250'}, NETS, hv, groups)
    assert result['errors'] == ['hostvars[cp2].strata_interfaces.k8s.device: missing; kube-vip announces the VIP on '
                                'that device']


def test_config_errors_on_wrong_api_version():
    result = make()
    docs = copy.deepcopy(result['documents'])
    docs[0]['apiVersion'] = 'kubeadm.k8s.io/v1beta3'
    errors = kplan.config_errors(docs, NETS, 'k8s')
    assert errors == ["kubeadm configuration: ClusterConfiguration has apiVersion 'kubeadm.k8s.io/v1beta3'; kubeadm "
                      "v1.31.4 reads kubeadm.k8s.io/v1beta4"]


def test_config_errors_endpoint_outside_api_network():
    result = make()
    docs = copy.deepcopy(result['documents'])
    docs[0]['controlPlaneEndpoint'] = '10.40.0.5:6443'
    assert kplan.config_errors(docs, NETS, 'k8s') == [
        'kubeadm configuration: controlPlaneEndpoint 10.40.0.5:6443 is outside the API network k8s (10.41.0.0/24)']


def test_join_configuration_worker_and_control_plane():
    result = make(cps=('cp1', 'cp2', 'cp3'))
    worker = kplan.join_configuration(result, 'w1', 'abcdef.0123456789abcdef', ['sha256:aa'])
    assert worker['kind'] == 'JoinConfiguration' and 'controlPlane' not in worker
    assert worker['discovery']['bootstrapToken'] == {'apiServerEndpoint': '10.41.0.250:6443',
                                                     'token': 'abcdef.0123456789abcdef', 'caCertHashes': ['sha256:aa']}
    assert worker['nodeRegistration']['kubeletExtraArgs'] == [{'name': 'node-ip', 'value': '10.41.0.14'}]
    cp = kplan.join_configuration(result, 'cp2', 't', ['sha256:aa'], certificate_key='k' * 64)
    assert cp['controlPlane'] == {'localAPIEndpoint': {'advertiseAddress': '10.41.0.12', 'bindPort': 6443},
                                  'certificateKey': 'k' * 64}


@pytest.mark.parametrize('current,target,expected', [
    ('1.30.5', '1.32.0', 'strata_kubernetes.version: 1.32.0 skips minor versions from the running 1.30.5'),
    ('1.31.2', '1.30.9', 'strata_kubernetes.version: 1.30.9 is older than the running 1.31.2'),
    ('1.31.2', '1.35.0', 'strata_kubernetes.version: 1.35.0 is not supported'),
    ('bogus', '1.31.0', "current version: 'bogus' is not a Kubernetes version"),
])
def test_upgrade_rejects(current, target, expected):
    result = kplan.upgrade_plan(current, target, ['cp1'], ['w1'])
    assert result['steps'] == []
    assert any(expected in e for e in result['errors']), result['errors']


def test_upgrade_order_first_control_plane_applies_then_nodes():
    result = kplan.upgrade_plan('v1.30.5', '1.31.1', ['cp1', 'cp2', 'cp3'], ['w1', 'w2'])
    assert result['errors'] == [] and result['needed'] is True
    assert [(s['host'], s['command'], s['drain']) for s in result['steps']] == [
        ('cp1', 'apply', True), ('cp2', 'node', True), ('cp3', 'node', True), ('w1', 'node', True), ('w2', 'node', True)]


def test_upgrade_same_version_is_noop_and_patch_is_allowed():
    assert kplan.upgrade_plan('1.31.1', '1.31.1', ['cp1'], [])['needed'] is False
    patch = kplan.upgrade_plan('1.31.1', '1.31.4', ['cp1'], [])
    assert patch['needed'] is True and patch['errors'] == []


def test_removal_plan():
    assert kplan.removal_plan('w1', ['cp1'], ['w1'])['steps'] == ['drain', 'reset', 'delete-node']
    cp = kplan.removal_plan('cp3', ['cp1', 'cp2', 'cp3'], [])
    assert 'leaves 2 etcd members (even)' in cp['errors'][0]
    assert kplan.removal_plan('cp3', ['cp1', 'cp2', 'cp3'], [], force=True)['steps'] == [
        'drain', 'etcd-member-remove', 'reset', 'delete-node']
    assert 'last control-plane host' in kplan.removal_plan('cp1', ['cp1'], [])['errors'][0]
    assert 'neither' in kplan.removal_plan('x', ['cp1'], [])['errors'][0]


def test_merge_is_deep_and_does_not_mutate():
    base = {'a': {'b': 1, 'c': [1]}, 'd': 1}
    merged = kplan.merge(base, {'a': {'b': 2}, 'e': 3})
    assert merged == {'a': {'b': 2, 'c': [1]}, 'd': 1, 'e': 3}
    assert base == {'a': {'b': 1, 'c': [1]}, 'd': 1}
