"""Checks of scenario kubernetes_prep: container runtime, kernel state, kubelet files and the rendered
kubeadm configuration, on a control-plane host and a worker (the test talks to both VMs)."""

import os

import pytest
import testinfra
import yaml

SSH_CONFIG = os.path.expanduser('~/.cache/strata-cloud/lab/molecule-kubernetes-prep/ssh_config')
ADDRESSES = {'k8s-cp1': '10.89.0.10', 'k8s-w1': '10.89.0.20'}


@pytest.fixture(scope='module', params=sorted(ADDRESSES))
def node(request):
    host = testinfra.get_host('ssh://' + request.param, ssh_config=SSH_CONFIG, sudo=True)
    host.name = request.param
    return host


@pytest.fixture(scope='module')
def cp():
    return testinfra.get_host('ssh://k8s-cp1', ssh_config=SSH_CONFIG, sudo=True)


def test_containerd_running_and_cri_answers(node):
    service = node.service('containerd')
    assert service.is_running and service.is_enabled
    # crictl (cri-tools) is itself a Kubernetes artifact; ctr asks the same daemon for its CRI plugin.
    plugins = node.check_output('ctr --address /run/containerd/containerd.sock plugins ls')
    cri = [line.split() for line in plugins.splitlines() if line.split()[:2] == ['io.containerd.grpc.v1', 'cri']]
    assert cri and cri[0][-1] == 'ok', plugins


def test_containerd_cri_configuration(node):
    dump = node.check_output('containerd config dump')
    assert 'SystemdCgroup = true' in dump
    assert 'sandbox_image = "registry.k8s.io/pause:3.10"' in dump
    assert 'config_path = "/etc/containerd/certs.d"' in dump
    crictl = yaml.safe_load(node.file('/etc/crictl.yaml').content_string)
    assert crictl['runtime-endpoint'] == 'unix:///run/containerd/containerd.sock'


def test_kernel_modules_sysctls_and_swap(node):
    modules = node.check_output('lsmod')
    assert 'br_netfilter' in modules and 'overlay' in modules
    for key in ('net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables', 'net.ipv4.ip_forward'):
        assert node.sysctl(key) == 1, key
    assert node.file('/etc/modules-load.d/kubernetes.conf').contains('^br_netfilter$')
    assert node.file('/etc/sysctl.d/90-kubernetes.conf').contains('^net.ipv4.ip_forward *= *1$')
    assert node.check_output('swapon --show --noheadings') == ''
    assert node.check_output('cat /proc/swaps | wc -l') == '1'


def test_kubelet_files(node):
    assert node.file('/etc/default/kubelet').contains('^KUBELET_EXTRA_ARGS=--node-ip=%s$' % ADDRESSES[node.name])
    config = yaml.safe_load(node.file('/etc/kubernetes/strata/kubelet-config.yaml').content_string)
    assert config['apiVersion'] == 'kubelet.config.k8s.io/v1beta1' and config['kind'] == 'KubeletConfiguration'
    assert config['cgroupDriver'] == 'systemd'
    assert config['containerRuntimeEndpoint'] == 'unix:///run/containerd/containerd.sock'
    assert config['clusterDNS'] == ['10.96.0.10']
    assert config['maxPods'] == 50  # strata_kubernetes.overrides.kubelet


def test_no_kubernetes_package_or_source(node):
    assert not node.package('kubeadm').is_installed
    assert not node.package('kubelet').is_installed
    assert not node.file('/etc/apt/sources.list.d/kubernetes.sources').exists
    assert not node.file('/etc/kubernetes/admin.conf').exists


def test_rendered_kubeadm_configuration(cp):
    text = cp.file('/etc/kubernetes/strata/kubeadm-init.yaml').content_string
    docs = dict((d['kind'], d) for d in yaml.safe_load_all(text) if d)
    assert sorted(docs) == ['ClusterConfiguration', 'InitConfiguration', 'KubeProxyConfiguration', 'KubeletConfiguration']
    cluster, init = docs['ClusterConfiguration'], docs['InitConfiguration']
    assert cluster['apiVersion'] == init['apiVersion'] == 'kubeadm.k8s.io/v1beta4'  # kubeadm >= 1.31
    assert docs['KubeProxyConfiguration']['apiVersion'] == 'kubeproxy.config.k8s.io/v1alpha1'
    assert cluster['kubernetesVersion'] == 'v1.31.4'
    assert cluster['controlPlaneEndpoint'] == '10.89.0.10:6443'
    assert cluster['networking']['podSubnet'] == '10.244.0.0/16'
    assert cluster['networking']['serviceSubnet'] == '10.96.0.0/12'
    assert init['localAPIEndpoint']['advertiseAddress'] == '10.89.0.10'
    assert init['nodeRegistration']['criSocket'] == 'unix:///run/containerd/containerd.sock'
    assert init['nodeRegistration']['kubeletExtraArgs'] == [{'name': 'node-ip', 'value': '10.89.0.10'}]
    assert cp.file('/etc/kubernetes/strata/kubeadm-init.yaml').mode == 0o600


def test_worker_has_no_control_plane_configuration():
    worker = testinfra.get_host('ssh://k8s-w1', ssh_config=SSH_CONFIG, sudo=True)
    assert not worker.file('/etc/kubernetes/strata/kubeadm-init.yaml').exists
