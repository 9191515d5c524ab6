# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloud-init NoCloud seed: file contents, content hash and the ISO image (volume label ``cidata``).

The files are written as JSON, which is valid YAML, so no YAML library is needed on the
hypervisor. The hash covers the file contents (not the ISO bytes, which carry timestamps), so a
re-run can tell whether the seed changed without rebuilding it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import SeedError

VOLUME_LABEL = 'cidata'
# Tried in this order; the first one found on the hypervisor builds the image.
ISO_TOOLS = ('cloud-localds', 'genisoimage', 'xorrisofs', 'mkisofs')
ISO_TOOL_PACKAGES = 'cloud-image-utils, genisoimage or xorriso'


def _dump(data):
    return json.dumps(data, indent=2, sort_keys=True) + '\n'


def deep_merge(base, override):
    """``override`` merged into a copy of ``base``: dicts merge recursively, anything else replaces."""
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def user_data(ci):
    """The ``#cloud-config`` dict generated from the ``cloud_init`` options (before ``user_data``)."""
    user = {
        'name': ci['user'],
        'shell': '/bin/bash',
        'sudo': 'ALL=(ALL) NOPASSWD:ALL',
        'lock_passwd': ci.get('password') is None,
    }
    if ci.get('ssh_authorized_keys'):
        user['ssh_authorized_keys'] = list(ci['ssh_authorized_keys'])
    if ci.get('password') is not None:
        user['plain_text_passwd'] = ci['password']
    config = {
        'hostname': ci['hostname'],
        'preserve_hostname': False,
        'manage_etc_hosts': True,
        'users': [user],
        'ssh_pwauth': ci.get('password') is not None,
    }
    if ci.get('packages'):
        config['packages'] = list(ci['packages'])
    if ci.get('user_data'):
        config = deep_merge(config, ci['user_data'])
    return config


def network_config(ci):
    """The ``network-config`` dict (netplan v2), or ``None``."""
    net = ci.get('network_config')
    if net is None:
        return None
    if 'version' not in net and 'network' not in net:
        net = dict(net, version=2)
    return net


def seed_files(ci):
    """``{file name: text}`` of the NoCloud seed for a validated ``cloud_init`` dict."""
    files = {
        'meta-data': _dump({'instance-id': ci['instance_id'], 'local-hostname': ci['hostname']}),
        'user-data': '#cloud-config\n' + _dump(user_data(ci)),
    }
    net = network_config(ci)
    if net is not None:
        files['network-config'] = _dump(net)
    return files


def seed_hash(files):
    """sha256 over the seed files (name and content, in name order)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode('utf-8') + b'\0' + files[name].encode('utf-8') + b'\0')
    return digest.hexdigest()


def find_iso_tool(which=shutil.which):
    """``(tool, path)`` of the first available ISO builder; raises :class:`SeedError` if none."""
    for tool in ISO_TOOLS:
        path = which(tool)
        if path:
            return tool, path
    raise SeedError('cannot build the cloud-init seed: none of %s is installed on the hypervisor '
                    '(install %s)' % (', '.join(ISO_TOOLS), ISO_TOOL_PACKAGES))


def iso_command(tool, path, output, directory, files):
    """The argv that writes the seed ISO ``output`` from ``files`` (names in ``directory``)."""
    paths = dict((name, os.path.join(directory, name)) for name in files)
    if tool == 'cloud-localds':
        argv = [path]
        if 'network-config' in paths:
            argv.append('--network-config=%s' % paths['network-config'])
        argv.extend([output, paths['user-data'], paths['meta-data']])
        return argv
    argv = [path, '-quiet', '-o', output, '-V', VOLUME_LABEL, '-J', '-r']
    if tool == 'xorrisofs':
        argv.remove('-quiet')
    argv.extend(paths[name] for name in sorted(paths))
    return argv


def build_iso(files, run_command, which=shutil.which):
    """Bytes of the seed ISO. ``run_command(argv)`` returns ``(rc, stdout, stderr)``."""
    tool, path = find_iso_tool(which)
    tmpdir = tempfile.mkdtemp(prefix='strata-seed-')
    try:
        for name, content in files.items():
            with open(os.path.join(tmpdir, name), 'w') as handle:
                handle.write(content)
        output = os.path.join(tmpdir, 'seed.iso')
        argv = iso_command(tool, path, output, tmpdir, files)
        rc, out, err = run_command(argv)
        if rc != 0 or not os.path.exists(output):
            raise SeedError('building the cloud-init seed with %s failed (rc=%s): %s'
                            % (tool, rc, (err or out or '').strip()[-2000:]), cmd=argv)
        with open(output, 'rb') as handle:
            return handle.read()
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
