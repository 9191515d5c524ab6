# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plan a kubeadm cluster from the strata.cloud site model.

Input (see docs/kubernetes.md):

* ``strata_kubernetes``: the cluster (version, API network, VIP, CIDRs, CNI, mirrors, overrides);
* ``strata_networks``: the site's named networks; the API network is one of them and the pod and
  service CIDRs must not overlap any of them;
* the hosts of the control-plane and worker groups with their ``strata_interfaces``.

``plan()`` returns the validated model, the kubeadm/kubelet/kube-proxy configuration documents,
the order in which hosts are brought up, and the artifacts (packages, images) the configuration
needs, each with the variable that takes it from a mirror. It never raises for bad data: every
problem is a message in ``errors`` naming the variable, the value and the fix.
"""

from __future__ import annotations

import copy
import ipaddress
import re

from ansible_collections.strata.cloud.plugins.module_utils.inventory_model import host_addresses, overlapping, parse_networks

VERSION_RE = re.compile(r'^v?1\.([0-9]{1,2})\.([0-9]{1,3})$')
DNS_LABEL_RE = re.compile(r'^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$')

# Images kubeadm of each minor release pins (``kubeadm config images list``): etcd, CoreDNS, pause.
# Override per cluster with strata_kubernetes.image_versions.
MINOR_IMAGES = {
    29: {'etcd': '3.5.16-0', 'coredns': 'v1.11.1', 'pause': '3.9'},
    30: {'etcd': '3.5.15-0', 'coredns': 'v1.11.3', 'pause': '3.9'},
    31: {'etcd': '3.5.15-0', 'coredns': 'v1.11.3', 'pause': '3.10'},
    32: {'etcd': '3.5.16-0', 'coredns': 'v1.11.3', 'pause': '3.10'},
    33: {'etcd': '3.5.21-0', 'coredns': 'v1.12.0', 'pause': '3.10'},
    34: {'etcd': '3.6.4-0', 'coredns': 'v1.12.1', 'pause': '3.10.1'},
}
SUPPORTED_MINORS = tuple(sorted(MINOR_IMAGES))
# kubeadm.k8s.io/v1beta4 is read by kubeadm 1.31 and later; v1beta3 before.
V1BETA4_FROM = 31

CNI = {
    'calico': {'version': 'v3.28.2',
               'images': ['quay.io/calico/cni', 'quay.io/calico/node', 'quay.io/calico/kube-controllers']},
    'cilium': {'version': 'v1.16.3', 'images': ['quay.io/cilium/cilium', 'quay.io/cilium/operator-generic']},
    'flannel': {'version': 'v0.26.1', 'images': ['ghcr.io/flannel-io/flannel']},
}
FLANNEL_CNI_PLUGIN = 'v1.5.1-flannel2'
HA_MODES = ('kube-vip', 'keepalived')
KUBE_VIP = {'version': 'v0.8.4', 'image': 'ghcr.io/kube-vip/kube-vip'}
METALLB = {'version': 'v0.14.8', 'images': ['quay.io/metallb/controller', 'quay.io/metallb/speaker']}
CEPH_CSI = {'version': 'v3.12.2', 'images': ['quay.io/cephcsi/cephcsi'],
            'sidecars': {'registry.k8s.io/sig-storage/csi-provisioner': 'v5.0.1',
                         'registry.k8s.io/sig-storage/csi-attacher': 'v4.6.1',
                         'registry.k8s.io/sig-storage/csi-resizer': 'v1.11.1',
                         'registry.k8s.io/sig-storage/csi-snapshotter': 'v8.0.1',
                         'registry.k8s.io/sig-storage/csi-node-driver-registrar': 'v2.11.1'}}
DEFAULT_PACKAGE_REPOSITORY = 'https://pkgs.k8s.io/core:/stable:/v1.%d/deb/'
CRI_SOCKET = 'unix:///run/containerd/containerd.sock'
KEYS = frozenset(('version', 'cluster_name', 'api_network', 'api_port', 'vip', 'ha_mode', 'etcd',
                  'pod_cidr', 'service_cidr', 'node_cidr_mask', 'dns_domain', 'cni', 'kube_proxy_mode',
                  'control_plane_group', 'worker_group', 'package_repository', 'package_dir',
                  'image_registry', 'image_versions', 'metallb_pools', 'ceph_csi', 'overrides'))
OVERRIDE_KEYS = ('cluster', 'init', 'join', 'kubelet', 'kube_proxy')
LB_PORT = 8443
DEFAULTS = {
    'cluster_name': 'kubernetes',
    'api_port': 6443,
    'ha_mode': 'kube-vip',
    'etcd': 'stacked',
    'pod_cidr': '10.244.0.0/16',
    'service_cidr': '10.96.0.0/12',
    'node_cidr_mask': 24,
    'dns_domain': 'cluster.local',
    'cni': 'calico',
    'kube_proxy_mode': 'iptables',
    'control_plane_group': 'k8s_control_plane',
    'worker_group': 'k8s_workers',
    'package_repository': '',
    'package_dir': '',
    'image_registry': '',
    'image_versions': {},
    'metallb_pools': [],
    'ceph_csi': False,
    'overrides': {},
}
VAR = 'strata_kubernetes'


def parse_version(value):
    """``'1.31.2'`` or ``'v1.31.2'`` -> ``(31, 2)``; None when it is not a Kubernetes 1.x.y version."""
    match = VERSION_RE.match(str(value or ''))
    return (int(match.group(1)), int(match.group(2))) if match else None


def api_versions(minor):
    """The configuration API versions that kubeadm of release 1.``minor`` reads."""
    return {
        'kubeadm': 'kubeadm.k8s.io/v1beta4' if minor >= V1BETA4_FROM else 'kubeadm.k8s.io/v1beta3',
        'kubelet': 'kubelet.config.k8s.io/v1beta1',
        'kube_proxy': 'kubeproxy.config.k8s.io/v1alpha1',
    }


def merge(base, override):
    """Deep-merge ``override`` into a copy of ``base`` (mappings merge, everything else replaces)."""
    result = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def extra_args(minor, args):
    """kubeadm's extraArgs: a mapping in v1beta3, a list of ``{name, value}`` in v1beta4."""
    if minor >= V1BETA4_FROM:
        return [{'name': k, 'value': str(v)} for k, v in sorted(args.items())]
    return dict((k, str(v)) for k, v in sorted(args.items()))


def _net(value, var, errors):
    try:
        return ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        errors.append('%s: %r is not a network address with prefix, e.g. 10.244.0.0/16' % (var, value))
        return None


def _host_address(hostvars, host, network):
    iface = ((hostvars.get(host) or {}).get('strata_interfaces') or {}).get(network) or {}
    return iface.get('address'), iface.get('device')


def _settings(cluster, errors):
    if cluster is None:
        cluster = {}
    if not isinstance(cluster, dict):
        errors.append('%s: must be a mapping (version, api_network, pod_cidr, ...), got %r' % (VAR, cluster))
        return None
    unknown = sorted(set(cluster) - KEYS)
    if unknown:
        errors.append('%s: unknown keys %s; allowed keys are %s' % (VAR, ', '.join(unknown), ', '.join(sorted(KEYS))))
    settings = dict(DEFAULTS)
    settings.update(dict((k, v) for k, v in cluster.items() if k in KEYS))
    return settings


def _check_ranges(s, nets, errors):
    """Pod and service CIDRs: valid, disjoint from each other and from every named network."""
    ranges = {}
    for key in ('pod_cidr', 'service_cidr'):
        net = _net(s[key], '%s.%s' % (VAR, key), errors)
        if net is None:
            continue
        ranges[key] = net
        for name in overlapping(net, nets):
            errors.append('%s.%s: %s overlaps strata_networks.%s.cidr %s; pick a range that no host network '
                          'uses (pods and services are routed inside the cluster)' % (VAR, key, net, name, nets[name]))
    pod, svc = ranges.get('pod_cidr'), ranges.get('service_cidr')
    if pod is not None and svc is not None and pod.version == svc.version and pod.overlaps(svc):
        errors.append('%s.service_cidr: %s overlaps %s.pod_cidr %s; they must be disjoint' % (VAR, svc, VAR, pod))
    if svc is not None and svc.version == 4 and svc.prefixlen < 12:
        errors.append('%s.service_cidr: %s is larger than the /12 kube-apiserver accepts; use /12 or smaller' % (VAR, svc))
    mask = s['node_cidr_mask']
    if isinstance(mask, bool) or not isinstance(mask, int) or not 16 <= mask <= 28:
        errors.append('%s.node_cidr_mask: %r must be an integer from 16 to 28 (the pod range of one node)' % (VAR, mask))
    elif pod is not None and pod.version == 4 and mask <= pod.prefixlen:
        errors.append('%s.node_cidr_mask: /%d must be longer than %s.pod_cidr %s so each node gets a part of it'
                      % (VAR, mask, VAR, pod))
    return ranges


def _check_pools(s, nets, taken, errors):
    pools = s['metallb_pools']
    if not isinstance(pools, list):
        errors.append('%s.metallb_pools: must be a list of {name, network, addresses}, got %r' % (VAR, pools))
        return []
    result = []
    names = set()
    for index, pool in enumerate(pools):
        var = '%s.metallb_pools[%d]' % (VAR, index)
        if not isinstance(pool, dict) or not {'name', 'network', 'addresses'} <= set(pool):
            errors.append('%s: %r must be a mapping with name, network and addresses (a CIDR or "first-last")' % (var, pool))
            continue
        if not DNS_LABEL_RE.match(str(pool['name'])) or pool['name'] in names:
            errors.append('%s.name: %r must be a unique DNS label (lower case, digits, "-")' % (var, pool['name']))
        names.add(pool['name'])
        net = nets.get(pool['network'])
        if net is None:
            errors.append('%s.network: %r is not a network in strata_networks (known: %s)'
                          % (var, pool['network'], ', '.join(sorted(nets)) or 'none'))
            continue
        text = str(pool['addresses'])
        try:
            if '-' in text:
                first, last = [ipaddress.ip_address(p.strip()) for p in text.split('-', 1)]
            else:
                block = ipaddress.ip_network(text, strict=True)
                first, last = block[0], block[-1]
        except ValueError:
            errors.append('%s.addresses: %r is neither a CIDR nor a range "first-last"' % (var, text))
            continue
        if first not in net or last not in net or first > last:
            errors.append('%s.addresses: %s is not inside strata_networks.%s.cidr %s' % (var, text, pool['network'], net))
            continue
        for address, owner in sorted(taken.items()):
            if address.version == first.version and first <= address <= last:
                errors.append('%s.addresses: %s contains %s, already used by %s' % (var, text, address, owner))
        result.append({'name': pool['name'], 'network': pool['network'], 'addresses': text})
    return result


def _check_overrides(overrides, errors):
    if not isinstance(overrides, dict):
        errors.append('%s.overrides: must be a mapping with keys %s, got %r' % (VAR, ', '.join(OVERRIDE_KEYS), overrides))
        return {}
    result = {}
    for key, value in overrides.items():
        if key not in OVERRIDE_KEYS:
            errors.append('%s.overrides.%s: unknown; use %s' % (VAR, key, ', '.join(OVERRIDE_KEYS)))
        elif not isinstance(value, dict):
            errors.append('%s.overrides.%s: must be a mapping merged into the document, got %r' % (VAR, key, value))
        elif 'apiVersion' in value or 'kind' in value:
            errors.append('%s.overrides.%s: apiVersion and kind come from the version; remove them' % (VAR, key))
        else:
            result[key] = value
    return result


def config_errors(documents, networks, api_network, vip=None):
    """Check rendered kubeadm documents for what kubeadm requires (after user overrides).

    API versions and kinds, pod/service subnets disjoint from every named network and from each
    other, the control-plane endpoint inside the API network.
    """
    errors = []
    kinds = dict((d.get('kind'), d) for d in documents)
    for kind in ('ClusterConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration'):
        if kind not in kinds:
            errors.append('kubeadm configuration: %s is missing' % kind)
    cluster = kinds.get('ClusterConfiguration') or {}
    parsed = parse_version(cluster.get('kubernetesVersion'))
    if parsed is not None:
        wanted = api_versions(parsed[0])
        for doc in documents:
            group = doc.get('apiVersion', '').split('/')[0]
            expected = {'kubeadm.k8s.io': wanted['kubeadm'], 'kubelet.config.k8s.io': wanted['kubelet'],
                        'kubeproxy.config.k8s.io': wanted['kube_proxy']}.get(group)
            if expected != doc.get('apiVersion'):
                errors.append('kubeadm configuration: %s has apiVersion %r; kubeadm %s reads %s'
                              % (doc.get('kind'), doc.get('apiVersion'), cluster.get('kubernetesVersion'), expected))
    nets = parse_networks(networks, strict=False)
    subnets = {}
    for field in ('podSubnet', 'serviceSubnet'):
        value = (cluster.get('networking') or {}).get(field)
        if value is None:
            errors.append('kubeadm configuration: networking.%s is missing' % field)
            continue
        try:
            subnets[field] = ipaddress.ip_network(str(value), strict=True)
        except ValueError:
            errors.append('kubeadm configuration: networking.%s %r is not a network address with prefix' % (field, value))
            continue
        for name in overlapping(subnets[field], nets):
            errors.append('kubeadm configuration: networking.%s %s overlaps strata_networks.%s.cidr %s'
                          % (field, value, name, nets[name]))
    if len(subnets) == 2 and subnets['podSubnet'].overlaps(subnets['serviceSubnet']):
        errors.append('kubeadm configuration: networking.podSubnet and serviceSubnet overlap')
    endpoint = cluster.get('controlPlaneEndpoint')
    api = nets.get(api_network)
    if endpoint and api is not None:
        host = endpoint.rsplit(':', 1)[0].strip('[]')
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if address is not None and address not in api:
            errors.append('kubeadm configuration: controlPlaneEndpoint %s is outside the API network %s (%s)'
                          % (endpoint, api_network, api))
    if vip and cluster.get('controlPlaneEndpoint', '').rsplit(':', 1)[0].strip('[]') != str(vip):
        errors.append('kubeadm configuration: controlPlaneEndpoint %r does not use %s.vip %s'
                      % (cluster.get('controlPlaneEndpoint'), VAR, vip))
    return errors


def _image(registry, name, tag):
    """``name`` with its registry replaced by ``registry`` when a mirror is given."""
    if registry:
        name = registry.rstrip('/') + '/' + name.split('/', 1)[1]
    return '%s:%s' % (name, tag)


def artifacts(s, minor, patch, versions):
    """Every package and image the configuration needs, with the variable that takes it from a mirror."""
    version = '1.%d.%d' % (minor, patch)
    repo = s['package_repository'] or DEFAULT_PACKAGE_REPOSITORY % minor
    pkg_mirror = '%s.package_repository or %s.package_dir' % (VAR, VAR)
    out = []
    for name in ('kubeadm', 'kubelet', 'kubectl'):
        out.append({'kind': 'package', 'name': name, 'version': version, 'source': repo, 'mirror_variable': pkg_mirror,
                    'hosts': 'all'})
    out.append({'kind': 'package', 'name': 'cri-tools', 'version': '1.%d.*' % minor, 'source': repo,
                'mirror_variable': pkg_mirror, 'hosts': 'all'})
    out.append({'kind': 'package', 'name': 'kubernetes-cni', 'version': '*', 'source': repo,
                'mirror_variable': pkg_mirror, 'hosts': 'all'})
    for name in ('containerd', 'runc', 'conntrack', 'socat', 'ebtables', 'ethtool'):
        out.append({'kind': 'package', 'name': name, 'version': 'distribution', 'source': 'Debian',
                    'mirror_variable': 'the host APT sources', 'hosts': 'all'})
    reg = s['image_registry']
    img_mirror = '%s.image_registry' % VAR
    images = [('registry.k8s.io/kube-apiserver', 'v' + version, 'control_plane'),
              ('registry.k8s.io/kube-controller-manager', 'v' + version, 'control_plane'),
              ('registry.k8s.io/kube-scheduler', 'v' + version, 'control_plane'),
              ('registry.k8s.io/kube-proxy', 'v' + version, 'all'),
              ('registry.k8s.io/etcd', versions['etcd'], 'control_plane'),
              ('registry.k8s.io/coredns/coredns', versions['coredns'], 'all'),
              ('registry.k8s.io/pause', versions['pause'], 'all')]
    cni = CNI.get(s['cni'])
    if cni:
        images += [(name, cni['version'], 'all') for name in cni['images']]
        if s['cni'] == 'flannel':
            images.append(('ghcr.io/flannel-io/flannel-cni-plugin', FLANNEL_CNI_PLUGIN, 'all'))
    if s['ha'] and s['ha_mode'] == 'kube-vip':
        images.append((KUBE_VIP['image'], KUBE_VIP['version'], 'control_plane'))
    if s['ha'] and s['ha_mode'] == 'keepalived':
        for name in ('keepalived', 'haproxy'):
            out.append({'kind': 'package', 'name': name, 'version': 'distribution', 'source': 'Debian',
                        'mirror_variable': 'the host APT sources', 'hosts': 'control_plane'})
    if s['metallb_pools']:
        images += [(name, METALLB['version'], 'all') for name in METALLB['images']]
    if s['ceph_csi']:
        images += [(name, CEPH_CSI['version'], 'all') for name in CEPH_CSI['images']]
        images += [(name, tag, 'all') for name, tag in sorted(CEPH_CSI['sidecars'].items())]
    for name, tag, hosts in images:
        out.append({'kind': 'image', 'name': name, 'version': tag, 'source': name.split('/', 1)[0],
                    'reference': _image(reg, name, tag), 'mirror_variable': img_mirror, 'hosts': hosts})
    return out


def _documents(s, minor, patch, first, first_address, endpoint, cert_sans, overrides):
    apis = api_versions(minor)
    version = 'v1.%d.%d' % (minor, patch)
    cluster = {
        'apiVersion': apis['kubeadm'], 'kind': 'ClusterConfiguration',
        'kubernetesVersion': version, 'clusterName': s['cluster_name'],
        'controlPlaneEndpoint': endpoint,
        'networking': {'podSubnet': str(s['pod_cidr']), 'serviceSubnet': str(s['service_cidr']),
                       'dnsDomain': s['dns_domain']},
        'apiServer': {'certSANs': cert_sans},
        'controllerManager': {'extraArgs': extra_args(minor, {'node-cidr-mask-size': s['node_cidr_mask']})},
        'etcd': {'local': {'dataDir': '/var/lib/etcd'}},
    }
    if s['image_registry']:
        cluster['imageRepository'] = s['image_registry'].rstrip('/')
    # Only versions the site chose are pinned: a pinned tag stays in kubeadm-config and would hold
    # etcd or CoreDNS back on later "kubeadm upgrade apply" runs.
    if 'etcd' in s['image_versions']:
        cluster['etcd']['local']['imageTag'] = s['image_versions']['etcd']
    if 'coredns' in s['image_versions']:
        cluster['dns'] = {'imageTag': s['image_versions']['coredns']}
    init = {
        'apiVersion': apis['kubeadm'], 'kind': 'InitConfiguration',
        'localAPIEndpoint': {'advertiseAddress': first_address, 'bindPort': s['api_port']},
        'nodeRegistration': {'name': first, 'criSocket': CRI_SOCKET,
                             'kubeletExtraArgs': extra_args(minor, {'node-ip': first_address})},
        'skipPhases': ['addon/kube-proxy'] if s['kube_proxy_mode'] == 'none' else [],
    }
    if not init['skipPhases']:
        del init['skipPhases']
    service = ipaddress.ip_network(str(s['service_cidr']))
    kubelet = {
        'apiVersion': apis['kubelet'], 'kind': 'KubeletConfiguration',
        'cgroupDriver': 'systemd', 'containerRuntimeEndpoint': CRI_SOCKET,
        'clusterDNS': [str(service[10])], 'clusterDomain': s['dns_domain'],
        'failSwapOn': True, 'rotateCertificates': True, 'serverTLSBootstrap': False,
        'authentication': {'anonymous': {'enabled': False}, 'webhook': {'enabled': True}},
        'authorization': {'mode': 'Webhook'},
    }
    proxy = {
        'apiVersion': apis['kube_proxy'], 'kind': 'KubeProxyConfiguration',
        'mode': 'iptables' if s['kube_proxy_mode'] == 'none' else s['kube_proxy_mode'],
        'clusterCIDR': str(s['pod_cidr']),
    }
    return [merge(cluster, overrides.get('cluster')), merge(init, overrides.get('init')),
            merge(kubelet, overrides.get('kubelet')), merge(proxy, overrides.get('kube_proxy'))]


def plan(cluster, networks, hostvars, groups):
    """Plan the cluster.

    :param cluster: ``strata_kubernetes``.
    :param networks: ``strata_networks``.
    :param hostvars: ``{host: {'strata_interfaces': {...}}}`` of (at least) the cluster's hosts.
    :param groups: ``{group: [hosts]}`` (Ansible's ``groups``).
    :returns: dict; ``errors`` is empty when the cluster can be deployed.
    """
    errors = []
    s = _settings(cluster, errors)
    result = {'errors': errors}
    if s is None:
        return result
    networks = networks if isinstance(networks, dict) else {}
    hostvars = hostvars or {}
    groups = groups or {}
    nets = parse_networks(networks)

    parsed = parse_version(s.get('version'))
    if parsed is None:
        errors.append('%s.version: %r is not a Kubernetes version; give major.minor.patch, e.g. 1.31.4'
                      % (VAR, s.get('version')))
    elif parsed[0] not in MINOR_IMAGES:
        errors.append('%s.version: %s is not supported; supported releases are 1.%d to 1.%d'
                      % (VAR, s['version'], SUPPORTED_MINORS[0], SUPPORTED_MINORS[-1]))
        parsed = None
    if not DNS_LABEL_RE.match(str(s['cluster_name'])):
        errors.append('%s.cluster_name: %r must be a DNS label (lower case, digits, "-")' % (VAR, s['cluster_name']))
    port = s['api_port']
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535 or port == LB_PORT:
        errors.append('%s.api_port: %r must be a TCP port other than %d (the keepalived/haproxy front end)'
                      % (VAR, port, LB_PORT))
    if s['cni'] not in CNI:
        errors.append('%s.cni: %r is not supported; choose one of %s' % (VAR, s['cni'], ', '.join(sorted(CNI))))
    if s['ha_mode'] not in HA_MODES:
        errors.append('%s.ha_mode: %r is not supported; choose one of %s' % (VAR, s['ha_mode'], ', '.join(HA_MODES)))
    if s['etcd'] != 'stacked':
        errors.append('%s.etcd: %r is not supported; only "stacked" (etcd on the control-plane hosts)' % (VAR, s['etcd']))
    if s['kube_proxy_mode'] not in ('iptables', 'ipvs', 'none'):
        errors.append('%s.kube_proxy_mode: %r must be iptables, ipvs or none (none: the CNI replaces kube-proxy)'
                      % (VAR, s['kube_proxy_mode']))
    elif s['kube_proxy_mode'] == 'none' and s['cni'] != 'cilium':
        errors.append('%s.kube_proxy_mode: none needs cni cilium (its kube-proxy replacement), not %r' % (VAR, s['cni']))
    if s['package_dir'] and not str(s['package_dir']).startswith('/'):
        errors.append('%s.package_dir: %r must be an absolute path on the controller' % (VAR, s['package_dir']))
    if not isinstance(s['image_versions'], dict) or set(s['image_versions']) - {'etcd', 'coredns', 'pause'}:
        errors.append('%s.image_versions: %r may only set etcd, coredns and pause' % (VAR, s['image_versions']))
        s['image_versions'] = {}
    overrides = _check_overrides(s['overrides'], errors)

    api_network = s.get('api_network')
    api = nets.get(api_network)
    if not api_network:
        errors.append('%s.api_network: missing; name the network of strata_networks the API server listens on' % VAR)
    elif api is None:
        errors.append('%s.api_network: %r is not a network in strata_networks (known: %s)'
                      % (VAR, api_network, ', '.join(sorted(nets)) or 'none'))

    cp_group, worker_group = s['control_plane_group'], s['worker_group']
    control_planes = list(groups.get(cp_group) or [])
    workers = [h for h in groups.get(worker_group) or [] if h not in control_planes]
    if not control_planes:
        errors.append('%s.control_plane_group: group %r has no hosts; put the control-plane hosts in it'
                      % (VAR, cp_group))
    addresses = {}
    devices = {}
    for host in control_planes + workers if api is not None else []:
        address, device = _host_address(hostvars, host, api_network)
        if address is None:
            errors.append('hostvars[%s].strata_interfaces.%s.address: missing; every cluster host needs an address '
                          'on the API network' % (host, api_network))
            continue
        try:
            address = ipaddress.ip_address(str(address))
        except ValueError:
            errors.append('hostvars[%s].strata_interfaces.%s.address: %r is not an IP address' % (host, api_network, address))
            continue
        if api is not None and address not in api:
            errors.append('hostvars[%s].strata_interfaces.%s.address: %s is outside strata_networks.%s.cidr %s'
                          % (host, api_network, address, api_network, api))
        addresses[host] = address
        devices[host] = device
    taken = {address: 'hostvars[%s].strata_interfaces.%s' % owner for address, owner in host_addresses(hostvars).items()}

    ha = len(control_planes) > 1
    s['ha'] = ha
    if ha and s['etcd'] == 'stacked' and len(control_planes) % 2 == 0:
        errors.append('%s.control_plane_group: group %r has %d hosts (%s); stacked etcd runs one member on each, '
                      'and an even number of members tolerates no more failures than one fewer: use 1, 3 or 5 '
                      'control-plane hosts' % (VAR, cp_group, len(control_planes), ', '.join(control_planes)))
    vip = s.get('vip')
    if vip:
        try:
            vip = ipaddress.ip_address(str(vip))
        except ValueError:
            errors.append('%s.vip: %r is not an IP address' % (VAR, s['vip']))
            vip = None
    if vip is not None and vip and api is not None:
        if vip not in api or (api.num_addresses > 2 and vip in (api.network_address, api.broadcast_address)):
            errors.append('%s.vip: %s is outside the API network strata_networks.%s.cidr %s; the virtual IP moves '
                          'between control-plane hosts on that network, so pick a free address inside it'
                          % (VAR, vip, api_network, api))
        elif vip in taken:
            errors.append('%s.vip: %s is already used by %s; pick a free address' % (VAR, vip, taken[vip]))
    if ha and not s.get('vip'):
        errors.append('%s.vip: missing; %d control-plane hosts need a virtual IP on the API network for the '
                      'API endpoint' % (VAR, len(control_planes)))
    if vip:
        taken[vip] = '%s.vip' % VAR
    if ha and s['ha_mode'] == 'kube-vip':
        for host in control_planes:
            if host in devices and not devices[host]:
                errors.append('hostvars[%s].strata_interfaces.%s.device: missing; kube-vip announces the VIP on that '
                              'device' % (host, api_network))
    _check_ranges(s, nets, errors)
    pools = _check_pools(s, nets, taken, errors)
    if s['ceph_csi'] not in (True, False):
        errors.append('%s.ceph_csi: %r must be true or false' % (VAR, s['ceph_csi']))
    if errors or parsed is None:
        return result

    minor, patch = parsed
    versions = dict(MINOR_IMAGES[minor])
    versions.update(s['image_versions'])
    first = control_planes[0]
    if vip:
        endpoint_host, endpoint_port = str(vip), LB_PORT if (ha and s['ha_mode'] == 'keepalived') else s['api_port']
    else:
        endpoint_host, endpoint_port = str(addresses[first]), s['api_port']
    endpoint = '%s:%d' % ('[%s]' % endpoint_host if ':' in endpoint_host else endpoint_host, endpoint_port)
    cert_sans = ([endpoint_host] if vip else []) + [str(addresses[h]) for h in control_planes] + control_planes
    documents = _documents(s, minor, patch, first, str(addresses[first]), endpoint, cert_sans, overrides)
    errors.extend(config_errors(documents, networks, api_network, vip))
    result.update({
        'version': '1.%d.%d' % (minor, patch),
        'minor': minor,
        'api_versions': api_versions(minor),
        'cluster_name': s['cluster_name'],
        'api_network': api_network,
        'api_port': s['api_port'],
        'endpoint': endpoint,
        'vip': str(vip) if vip else '',
        'ha': ha,
        'ha_mode': s['ha_mode'] if ha else 'none',
        'pod_cidr': str(s['pod_cidr']),
        'service_cidr': str(s['service_cidr']),
        'cni': s['cni'],
        'metallb_pools': pools,
        'ceph_csi': s['ceph_csi'],
        'images': versions,
        'image_registry': s['image_registry'],
        'package_repository': s['package_repository'] or DEFAULT_PACKAGE_REPOSITORY % minor,
        'package_repository_is_default': not s['package_repository'],
        'package_dir': s['package_dir'],
        'node_ip': dict((h, str(a)) for h, a in addresses.items()),
        'api_device': dict((h, devices[h] or '') for h in control_planes),
        'control_planes': control_planes,
        'first_control_plane': first,
        'workers': workers,
        'join_order': order(control_planes, workers),
        'documents': documents,
        'kubelet_config': documents[2],
        'join_overrides': overrides.get('join', {}),
        'artifacts': artifacts(s, minor, patch, versions),
    })
    return result


def order(control_planes, workers):
    """The order hosts join: the first control plane inits, the others join one at a time, then workers."""
    steps = []
    if control_planes:
        steps.append({'host': control_planes[0], 'action': 'init', 'serial': True})
    steps += [{'host': h, 'action': 'join-control-plane', 'serial': True} for h in control_planes[1:]]
    steps += [{'host': h, 'action': 'join-worker', 'serial': False} for h in workers]
    return steps


def join_configuration(result, host, token, ca_cert_hashes, certificate_key=None):
    """The JoinConfiguration of ``host`` (a control plane when ``certificate_key`` is given)."""
    minor = result['minor']
    address = result['node_ip'][host]
    doc = {
        'apiVersion': result['api_versions']['kubeadm'], 'kind': 'JoinConfiguration',
        'discovery': {'bootstrapToken': {'apiServerEndpoint': result['endpoint'], 'token': token,
                                         'caCertHashes': list(ca_cert_hashes)}},
        'nodeRegistration': {'name': host, 'criSocket': CRI_SOCKET,
                             'kubeletExtraArgs': extra_args(minor, {'node-ip': address})},
    }
    if certificate_key:
        doc['controlPlane'] = {'localAPIEndpoint': {'advertiseAddress': address, 'bindPort': result['api_port']},
                               'certificateKey': certificate_key}
    return merge(doc, result.get('join_overrides'))


def upgrade_plan(current, target, control_planes, workers):
    """Check an upgrade from ``current`` to ``target`` and order it.

    kubeadm upgrades one minor release at a time (patch releases of the same minor too); the first
    control plane runs ``kubeadm upgrade apply``, the other control planes then ``kubeadm upgrade
    node``, one at a time, then the workers; each host is drained first and uncordoned after.
    """
    errors = []
    cur, tgt = parse_version(current), parse_version(target)
    if cur is None:
        errors.append('current version: %r is not a Kubernetes version (read from the cluster or given as '
                      'kubeadm_upgrade_current_version)' % (current,))
    if tgt is None:
        errors.append('%s.version: %r is not a Kubernetes version; give major.minor.patch, e.g. 1.31.4' % (VAR, target))
    elif tgt[0] not in MINOR_IMAGES:
        errors.append('%s.version: %s is not supported; supported releases are 1.%d to 1.%d'
                      % (VAR, target, SUPPORTED_MINORS[0], SUPPORTED_MINORS[-1]))
    if errors:
        return {'errors': errors, 'steps': [], 'needed': False}
    if tgt < cur:
        errors.append('%s.version: %s is older than the running %s; kubeadm does not downgrade' % (VAR, target, current))
    elif tgt[0] > cur[0] + 1:
        errors.append('%s.version: %s skips minor versions from the running %s; kubeadm upgrades one minor '
                      'version at a time: upgrade to 1.%d.x first' % (VAR, target, current, cur[0] + 1))
    if errors or tgt == cur:
        return {'errors': errors, 'steps': [], 'needed': False}
    steps = []
    for index, host in enumerate(control_planes):
        steps.append({'host': host, 'role': 'control_plane',
                      'command': 'apply' if index == 0 else 'node', 'drain': True})
    steps += [{'host': h, 'role': 'worker', 'command': 'node', 'drain': True} for h in workers if h not in control_planes]
    return {'errors': [], 'steps': steps, 'needed': True, 'from': '1.%d.%d' % cur, 'to': '1.%d.%d' % tgt}


def removal_plan(host, control_planes, workers, force=False):
    """Check that ``host`` may be removed: it is in the cluster, and the cluster keeps a control plane
    and (stacked etcd) an odd number of members unless ``force``."""
    errors = []
    if host not in control_planes and host not in workers:
        errors.append('kubernetes_remove_node: %r is neither in the control-plane nor in the worker group' % (host,))
    elif host in control_planes:
        left = len(control_planes) - 1
        if left == 0:
            errors.append('kubernetes_remove_node: %r is the last control-plane host; reset the cluster instead' % host)
        elif left % 2 == 0 and not force:
            errors.append('kubernetes_remove_node: removing %r leaves %d etcd members (even); remove or add another '
                          'control-plane host too, or set kubernetes_remove_force=true' % (host, left))
    return {'errors': errors, 'control_plane': host in control_planes,
            'steps': ['drain'] + (['etcd-member-remove'] if host in control_planes else []) + ['reset', 'delete-node']}
