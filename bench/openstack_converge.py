"""Generate the layout for both tools, run them, count token requests, compare end states."""

import argparse
import json
import os
import subprocess
import time

import openstack
import yaml

KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG2pTbWeC7fW5Bq0bN1r6V1kS6u4vQ0y7c5z3j8d4kLm bench'


def layout(p, image):
    """The layout with every name prefixed by ``p``."""
    projects = ['%sp%d' % (p, i) for i in (1, 2)]
    out = {
        'projects': [{'name': n, 'description': 'bench'} for n in projects],
        'users': [{'name': '%su%d' % (p, i), 'password': 'bench-pass-%d' % i, 'default_project': projects[i % 2]} for i in range(4)],
        'role_assignments': [{'user': '%su%d' % (p, i), 'project': projects[i % 2], 'role': 'member'} for i in range(4)],
        'quotas': [{'project': n, 'compute': {'cores': 40, 'ram': 65536}, 'network': {'networks': 20, 'security_group_rules': 200}}
                   for n in projects],
        'flavors': [{'name': '%sf%d' % (p, i), 'vcpus': 1 + i % 4, 'ram': 512 * (1 + i), 'disk': 5 + i} for i in range(10)],
        'images': [{'name': '%simage' % p, 'filename': image, 'disk_format': 'raw', 'container_format': 'bare', 'visibility': 'public'}],
        'networks': [{'name': '%sext' % p, 'external': True,
                      'provider': {'network_type': 'vlan', 'physical_network': 'physnet1', 'segmentation_id': 110 if p == 'a-' else 111}}],
        'subnets': [{'name': '%sext-v4' % p, 'network': '%sext' % p, 'cidr': '198.51.100.0/24',
                     'enable_dhcp': False}],
        'routers': [], 'security_groups': [],
        'keypairs': [{'name': '%skey' % p, 'public_key': KEY}],
    }
    for pi, project in enumerate(projects):
        subnets = []
        for i in range(5):
            net = '%snet%d' % (p, pi * 5 + i)
            out['networks'].append({'name': net, 'project': project, 'mtu': 1400})
            out['subnets'].append({'name': net + '-v4', 'project': project, 'network': net,
                                   'cidr': '10.%d.%d.0/24' % (pi, i), 'dns_nameservers': ['10.0.0.53']})
            subnets.append(net + '-v4')
        out['routers'].append({'name': '%srouter%d' % (p, pi), 'project': project, 'external_network': '%sext' % p,
                               'interfaces': subnets})
        out['security_groups'].append({'name': '%sweb' % p, 'project': project, 'rules': [
            {'protocol': 'tcp', 'port_range_min': 8000 + r, 'remote_ip_prefix': '10.%d.0.0/16' % pi} for r in range(10)]})
    return out


def ours(spec):
    return [{'name': 'Converge the layout', 'strata.cloud.openstack_layout': dict(spec, cloud='strata-fixture')}]


def theirs(spec):
    """The equivalent openstack.cloud tasks (one module run, hence one login, per object)."""
    c = {'cloud': 'strata-fixture'}
    tasks = []

    def task(module, items):
        tasks.append({'name': module, 'openstack.cloud.' + module: '{{ item }}', 'loop': [dict(c, **i) for i in items]})

    task('project', [{'name': x['name'], 'description': x['description'], 'domain': 'default'} for x in spec['projects']])
    task('identity_user', [{'name': x['name'], 'password': x['password'], 'default_project': x['default_project'],
                            'domain': 'default', 'update_password': 'on_create'} for x in spec['users']])
    task('role_assignment', [{'user': x['user'], 'project': x['project'], 'role': x['role']} for x in spec['role_assignments']])
    task('quota', [dict({'name': x['project']}, **x['compute'], **x['network']) for x in spec['quotas']])
    task('compute_flavor', [{'name': x['name'], 'vcpus': x['vcpus'], 'ram': x['ram'], 'disk': x['disk']} for x in spec['flavors']])
    task('image', [{k: x[k] for k in ('name', 'filename', 'disk_format', 'container_format', 'visibility')} for x in spec['images']])
    nets = []
    for x in spec['networks']:
        n = {'name': x['name']}
        if x.get('project'):
            n['project'] = x['project']
        if x.get('mtu'):
            n['mtu'] = x['mtu']
        if x.get('external'):
            n.update(external=True, provider_network_type='vlan', provider_physical_network='physnet1',
                     provider_segmentation_id=x['provider']['segmentation_id'])
        nets.append(n)
    task('network', nets)
    subs = []
    for x in spec['subnets']:
        s = {'name': x['name'], 'network': x['network'], 'cidr': x['cidr']}
        if x.get('project'):
            s['project'] = x['project']
        if 'enable_dhcp' in x:
            s['is_dhcp_enabled'] = x['enable_dhcp']
        if x.get('dns_nameservers'):
            s['dns_nameservers'] = x['dns_nameservers']
        subs.append(s)
    task('subnet', subs)
    task('router', [{'name': x['name'], 'project': x['project'], 'network': x['external_network'], 'interfaces': x['interfaces']}
                    for x in spec['routers']])
    task('security_group', [{'name': x['name'], 'project': x['project']} for x in spec['security_groups']])
    task('security_group_rule', [{'security_group': g['name'], 'project': g['project'], 'protocol': r['protocol'],
                                  'port_range_min': r['port_range_min'], 'port_range_max': r['port_range_min'],
                                  'remote_ip_prefix': r['remote_ip_prefix'], 'direction': 'ingress'}
                                 for g in spec['security_groups'] for r in g['rules']])
    task('keypair', [{'name': x['name'], 'public_key': x['public_key']} for x in spec['keypairs']])
    return tasks


def playbook(path, tasks):
    with open(path, 'w') as f:
        yaml.safe_dump([{'name': 'bench', 'hosts': 'localhost', 'gather_facts': False,
                         'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'}, 'tasks': tasks}], f)


def tokens(fixture):
    return int(subprocess.run(['bash', fixture, 'tokens'], check=True, capture_output=True, text=True).stdout.strip() or 0)


def run(path, fixture, log):
    t0, k0 = time.monotonic(), tokens(fixture)
    with open(log, 'w') as f:
        subprocess.run(['ansible-playbook', path], check=True, stdout=f, stderr=subprocess.STDOUT)
    return round(time.monotonic() - t0, 1), tokens(fixture) - k0


def state(prefix):
    """Every object of the layout, names stripped of ``prefix``, IDs replaced by names."""
    conn = openstack.connect(cloud='strata-fixture')

    def strip(name):
        return name[len(prefix):] if name and name.startswith(prefix) else None

    projects = {p.id: strip(p.name) for p in conn.identity.projects()}
    nets = {n.id: strip(n.name) for n in conn.network.networks()}
    subs = {s.id: strip(s.name) for s in conn.network.subnets()}
    users = {u.id: strip(u.name) for u in conn.identity.users()}
    roles = {r.id: r.name for r in conn.identity.roles()}
    out = {
        'projects': sorted(v for v in projects.values() if v),
        'users': sorted((strip(u.name), projects.get(u.default_project_id)) for u in conn.identity.users() if strip(u.name)),
        'roles': sorted((users.get(a.user['id']), projects.get(a.scope['project']['id']), roles[a.role['id']])
                        for a in conn.identity.role_assignments() if a.user and 'project' in (a.scope or {})
                        and users.get(a.user['id'])),
        'flavors': sorted((strip(f.name), f.vcpus, f.ram, f.disk) for f in conn.compute.flavors(is_public='None') if strip(f.name)),
        'images': sorted((strip(i.name), i.disk_format, i.visibility, i.size) for i in conn.image.images() if strip(i.name)),
        'networks': sorted((v, projects.get(n.project_id), n.mtu, n.is_router_external, n.provider_network_type)
                           for n in conn.network.networks() for v in [strip(n.name)] if v),
        'subnets': sorted((v, nets.get(s.network_id), s.cidr, s.is_dhcp_enabled, tuple(s.dns_nameservers))
                          for s in conn.network.subnets() for v in [strip(s.name)] if v),
        'routers': sorted((v, projects.get(r.project_id), nets.get((r.external_gateway_info or {}).get('network_id')),
                           tuple(sorted(subs[ip['subnet_id']] for port in conn.network.ports(device_id=r.id)
                                        if port.device_owner == 'network:router_interface' for ip in port.fixed_ips)))
                          for r in conn.network.routers() for v in [strip(r.name)] if v),
        'security_group_rules': sorted((strip(g.name), projects.get(g.project_id), r['direction'], r['ethertype'], r['protocol'],
                                        r['port_range_min'], r['port_range_max'], r['remote_ip_prefix'])
                                       for g in conn.network.security_groups() if strip(g.name) for r in g.security_group_rules),
        'quotas': sorted((projects[p.id], conn.compute.get_quota_set(p.id).cores, conn.network.get_quota(p.id).networks)
                         for p in conn.identity.projects() if projects.get(p.id)),
        'keypairs': sorted(strip(k.name) for k in conn.compute.keypairs() if strip(k.name)),
    }
    return json.loads(json.dumps(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--fixture', required=True)
    parser.add_argument('--out', required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    image = os.path.join(args.out, 'bench-image.raw')
    with open(image, 'wb') as f:
        f.write(b'\0' * 65536)
    a, b = layout('a-', image), layout('b-', image)
    count = sum(len(v) for v in a.values()) + sum(len(r['interfaces']) for r in a['routers']) + \
        sum(len(g['rules']) for g in a['security_groups'])
    playbook(os.path.join(args.out, 'ours.yml'), ours(a))
    playbook(os.path.join(args.out, 'theirs.yml'), theirs(b))
    results = {'resources': count}
    for name in ('ours', 'theirs'):
        for run_name in ('first', 'rerun'):
            wall, tok = run(os.path.join(args.out, name + '.yml'), args.fixture, os.path.join(args.out, '%s-%s.log' % (name, run_name)))
            results['%s_%s' % (name, run_name)] = {'seconds': wall, 'token_requests': tok}
            print('%-6s %-5s %7.1f s %4d token requests' % (name, run_name, wall, tok), flush=True)
    sa, sb = state('a-'), state('b-')
    results['same_end_state'] = sa == sb
    if sa != sb:
        results['differences'] = {k: {'ours': sa[k], 'theirs': sb[k]} for k in sa if sa[k] != sb[k]}
    for run_name in ('first', 'rerun'):
        results['speedup_%s' % run_name] = round(results['theirs_%s' % run_name]['seconds'] / results['ours_%s' % run_name]['seconds'], 1)
    with open(os.path.join(args.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)
    print(json.dumps(results, indent=1))
    return 0 if sa == sb else 1


if __name__ == '__main__':
    raise SystemExit(main())
