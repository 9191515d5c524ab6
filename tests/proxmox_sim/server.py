# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTTPS front of the simulator: authentication, schema validation, faults, request counting."""

from __future__ import annotations

import collections
import json
import re
import secrets
import ssl
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import api, api_admin, corosync
from .schema import Schema
from .state import ApiError, Cluster, Vm, has_priv
from .tls import make_certificates

PREFIX = '/api2/json'


class Fault:
    """One injected fault; ``count`` is how many requests/tasks it hits (None: until removed)."""

    def __init__(self, kind, method=None, path=None, count=1, status=500, message=None, seconds=0.0, task_type=None):
        self.kind, self.method, self.count, self.status = kind, method, count, status
        self.path = re.compile(path) if path else None
        self.message, self.seconds, self.task_type = message, seconds, task_type
        self.hits = 0

    def matches_request(self, method, path):
        return (self.kind in ('http', 'delay') and (self.method is None or self.method == method)
                and (self.path is None or self.path.search(path)) and self.count != 0)

    def take(self):
        self.hits += 1
        if self.count is not None:
            self.count -= 1


class Simulator:
    """A Proxmox VE API on https://127.0.0.1:<port>/api2/json backed by an in-memory cluster.

    ``violations`` lists every request the official schema rejects (tests assert it stays empty);
    ``requests`` counts requests by (method, schema path); ``faults`` are injected failures.
    """

    def __init__(self, profile='8.4', nodes=('pve1', 'pve2', 'pve3'), latency=0.0, strict=True):
        self.schema = Schema(profile)
        self.cluster = Cluster(nodes, profile)
        self.cluster.corosync = corosync.Membership.of('sim', self)
        self.cluster.take_task_fault = self._task_fault
        self.lock = threading.RLock()
        self.latency = latency
        self.strict = strict
        self.violations = []
        self.unimplemented = []
        self.internal_errors = []
        self.requests = collections.Counter()
        self.log = []
        self.faults = []
        self._tmp = tempfile.TemporaryDirectory(prefix='pve-sim-')
        self.certs = make_certificates(self._tmp.name)
        self.ca_path = self.certs['ca.pem']
        self.fingerprint = corosync.fingerprint(self.certs['server.pem'])
        self.powered = True
        self.httpd = None
        self.thread = None
        self.port = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self):
        handler = type('Handler', (_Handler,), {'sim': self})
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certs['server.pem'], self.certs['server.key'])
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name='pve-sim', daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
        self._tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return 'https://127.0.0.1:%d%s' % (self.port, PREFIX)

    # --- test helpers ------------------------------------------------------------------------
    def reset_counts(self):
        with self.lock:
            self.requests.clear()
            self.log.clear()

    def total_requests(self):
        return sum(self.requests.values())

    def add_token(self, userid, tokenid, privsep=True, secret=None):
        with self.lock:
            secret = secret or _uuid()
            fresh = {'userid': userid, 'enable': 1, 'groups': set(), 'tokens': {}, 'comment': '', 'email': '', 'password': None}
            user = self.cluster.users.setdefault(userid, fresh)
            user['tokens'][tokenid] = {'secret': secret, 'privsep': int(privsep), 'comment': '', 'expire': 0}
        return secret

    def add_user(self, userid, password, groups=()):
        with self.lock:
            self.cluster.users[userid] = {'userid': userid, 'enable': 1, 'groups': set(groups), 'tokens': {},
                                          'comment': '', 'email': '', 'password': password}

    def grant(self, path, ugid, roleid, kind='user', propagate=True):
        with self.lock:
            self.cluster.acl.append({'path': path, 'ugid': ugid, 'type': kind, 'roleid': roleid, 'propagate': int(propagate)})

    def add_vm(self, vmid, node, config, template=False, status='stopped', pool=None):
        with self.lock:
            vm = Vm(vmid, node, config, template)
            vm.status = status
            if status == 'running':
                vm.started_at = time.monotonic() - 3600
            self.cluster.vms[vmid] = vm
            if pool:
                self.cluster.pools.setdefault(pool, {'comment': '', 'vms': set()})['vms'].add(vmid)
                vm.pool = pool
            return vm

    def add_template(self, vmid=9000, node='pve1', name='debian-13', disk_gb=3):
        config = {'name': name, 'cores': '1', 'memory': '1024', 'scsihw': 'virtio-scsi-single', 'ostype': 'l26',
                  'scsi0': 'local-lvm:base-%d-disk-0,size=%dG' % (vmid, disk_gb), 'ide2': 'local-lvm:vm-%d-cloudinit,media=cdrom' % vmid,
                  'net0': 'virtio=BC:24:11:00:%02X:%02X,bridge=vmbr0' % (vmid >> 8 & 255, vmid & 255), 'boot': 'order=scsi0',
                  'serial0': 'socket', 'vga': 'serial0', 'agent': '1'}
        return self.add_vm(vmid, node, config, template=True)

    def add_remote_file(self, url, size=2 * 1024 ** 3, content=b'cloud image'):
        """A file that download-url can fetch; returns its sha256 and sha512 digests."""
        import hashlib
        checksums = {name: hashlib.new(name, content).hexdigest() for name in ('sha256', 'sha512')}
        with self.lock:
            self.cluster.remote_files[url] = {'size': size, 'checksums': checksums}
        return checksums

    def fault(self, kind, **kwargs):
        with self.lock:
            fault = Fault(kind, **kwargs)
            self.faults.append(fault)
            return fault

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def hold_lock(self, vmid, lock='backup', seconds=30.0):
        with self.lock:
            vm = self.cluster.vms[vmid]
            vm.lock, vm.lock_until = lock, time.monotonic() + seconds

    def set_node_online(self, node, online):
        with self.lock:
            self.cluster.nodes[node]['online'] = online

    def vm_by_name(self, name):
        with self.lock:
            return [vm for vm in self.cluster.vms.values() if vm.name == name]

    def wait_idle(self, timeout=30.0):
        """Wait until no task runs (a test's cleanup)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                self.cluster.advance()
                if all(t.exitstatus is not None for t in self.cluster.tasks):
                    return
            time.sleep(0.05)
        raise TimeoutError('tasks still running')

    def _task_fault(self, kind, ident):
        for fault in self.faults:
            if fault.kind == 'task' and fault.task_type == kind and fault.count != 0:
                fault.take()
                return fault.message or 'command failed'
        return None

    # --- one request -------------------------------------------------------------------------
    def handle(self, method, path, params, headers):
        """Return (status, reason, payload) for one request."""
        if not path.startswith(PREFIX + '/'):
            return 501, 'Not Implemented', None
        path = path[len(PREFIX):].rstrip('/') or '/'
        template, info, path_params = self.schema.match(method, path)
        with self.lock:
            self.requests[(method, template or path)] += 1
            self.log.append((time.monotonic(), method, path))
        if template is None or info is None:
            with self.lock:
                self.unimplemented.append((method, path))
            return 501, "Method '%s %s' not implemented" % (method, path), None
        delay = 0.0
        with self.lock:
            for fault in self.faults:
                if fault.matches_request(method, path):
                    fault.take()
                    if fault.kind == 'delay':
                        delay = fault.seconds
                    else:
                        return fault.status, fault.message or 'Internal Server Error', None
        if delay:
            time.sleep(delay)
        if self.latency:
            time.sleep(self.latency)
        all_params = dict(params)
        all_params.update({k: urllib.parse.unquote(v) for k, v in path_params.items()})
        errors = self.schema.validate(info, all_params)
        if errors:
            with self.lock:
                self.violations.append({'method': method, 'path': template, 'params': _redact(params), 'errors': errors})
            if self.strict:
                return 400, 'Parameter verification failed.', {'errors': {k: v + '\n' for k, v in errors.items()}}
        if template == '/access/ticket':
            return self._login(all_params)
        who = self._authenticate(method, headers)
        if isinstance(who, tuple) and len(who) == 3:
            return who
        userid, token = who
        if (method, template) in corosync.ROOT_ONLY and (userid != 'root@pam' or token):
            return 403, 'Permission check failed (user != root@pam)', None
        with self.lock:
            self.cluster.advance()
            denied = self._check_permission(info, all_params, userid, token)
            if denied:
                return 403, denied, None
            ctx = api.Ctx(self.cluster, all_params, userid, token)
            try:
                data = api.dispatch(ctx, method, template)
            except ApiError as exc:
                if exc.status == 501:
                    self.unimplemented.append((method, template))
                return exc.status, exc.reason.split('\n')[0], ({'errors': exc.errors} if exc.errors else None)
            except Exception as exc:  # pylint: disable=broad-except
                self.internal_errors.append('%s %s: %r' % (method, path, exc))
                return 500, 'simulator error: %s' % type(exc).__name__, None
        if isinstance(data, api_admin.Answer):
            return 200, 'OK', dict({k: _jsonable(v) for k, v in data.attribs.items()}, data=_jsonable(data.data))
        return 200, 'OK', {'data': _jsonable(data)}

    def _login(self, params):
        username = params.get('username', '')
        if '@' not in username and params.get('realm'):
            username = '%s@%s' % (username, params['realm'])
        with self.lock:
            user = self.cluster.users.get(username)
            ok = user is not None and user.get('password') is not None and secrets.compare_digest(
                str(user['password']), str(params.get('password', '')))
            if not ok:
                return 401, 'authentication failure', None
            ticket = 'PVE:%s:%08X::%s' % (username, int(time.time()), secrets.token_urlsafe(48))
            csrf = '%08X:%s' % (int(time.time()), secrets.token_urlsafe(24))
            self.cluster.tickets[ticket] = (username, csrf)
        return 200, 'OK', {'data': {'ticket': ticket, 'CSRFPreventionToken': csrf, 'username': username,
                                    'cap': {'vms': {}, 'storage': {}, 'access': {}, 'nodes': {}, 'sdn': {}, 'dc': {}}}}

    def _authenticate(self, method, headers):
        auth = headers.get('Authorization', '')
        if auth.startswith('PVEAPIToken='):
            match = re.match(r'^PVEAPIToken=([^!]+)!([^=]+)=(.+)$', auth)
            if not match:
                return 401, 'invalid token value!', None
            userid, tokenid, secret = match.groups()
            with self.lock:
                tok = self.cluster.users.get(userid, {}).get('tokens', {}).get(tokenid)
                if tok is None or not secrets.compare_digest(tok['secret'], secret):
                    return 401, 'invalid token value!', None
            return userid, tokenid
        ticket = _cookie(headers.get('Cookie', ''), 'PVEAuthCookie')
        with self.lock:
            entry = self.cluster.tickets.get(ticket)
        if entry is None:
            return 401, 'No ticket', None
        if method != 'GET' and headers.get('CSRFPreventionToken') != entry[1]:
            return 401, 'Permission denied - invalid csrf token', None
        return entry[0], None

    def _check_permission(self, info, params, userid, token):
        check = (info.get('permissions') or {}).get('check')
        if not check or self._allowed(check, params, userid, token):
            return None
        return 'Permission check failed (%s, %s)' % (_fill(check[1], params), '|'.join(check[2]) if check[0] == 'perm' else check[0])

    def _allowed(self, check, params, userid, token):
        kind = check[0]
        if kind == 'perm':
            path = _fill(check[1], params)
            privs = self.cluster.privileges(userid, token, path)
            wanted = check[2]
            anyof = len(check) > 4 and check[3] == 'any' and check[4]
            return (any if anyof else all)(has_priv(privs, p) for p in wanted)
        if kind == 'and':
            return all(self._allowed(c, params, userid, token) for c in check[1:])
        if kind == 'or':
            return any(self._allowed(c, params, userid, token) for c in check[1:])
        return True


def _fill(path, params):
    return re.sub(r'\{([^}]+)\}', lambda m: str(params.get(m.group(1), '')), path)


def _cookie(header, name):
    for part in header.split(';'):
        key, value = (part.strip().split('=', 1) + [''])[:2]
        if key == name:
            return urllib.parse.unquote(value)
    return ''


def _uuid():
    import uuid
    return str(uuid.uuid4())


def _redact(params):
    return {k: ('<redacted>' if k in ('password', 'cipassword', 'keyring') else v) for k, v in params.items()}


def _jsonable(data):
    if isinstance(data, set):
        return sorted(data)
    if isinstance(data, dict):
        return {k: _jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_jsonable(v) for v in data]
    return data


class _Handler(BaseHTTPRequestHandler):
    sim = None
    protocol_version = 'HTTP/1.1'
    server_version = 'pve-api-daemon/3.0'

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def _serve(self):
        if not self.sim.powered:            # a node switched off: the connection drops, no answer
            self.close_connection = True
            return
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get('Content-Length') or 0)
        if length:
            body = self.rfile.read(length).decode('utf-8')
            if 'application/json' in (self.headers.get('Content-Type') or ''):
                params.update({k: str(v) for k, v in json.loads(body).items()})
            else:
                params.update(dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))
        status, reason, payload = self.sim.handle(self.command, url.path, params, self.headers)
        body = json.dumps(payload if payload is not None else {'data': None}).encode()
        try:
            self.send_response(status, reason)
            self.send_header('Content-Type', 'application/json;charset=UTF-8')
            self.send_header('Content-Length', str(len(body)))
            self.send_header('Cache-Control', 'max-age=0')
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass

    do_GET = do_POST = do_PUT = do_DELETE = _serve
