# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one libvirt client of strata.cloud.

``LibvirtClient`` opens one connection and wraps every libvirt call the modules make in a thin
method, so that the logic above it (the runners) can be tested against a fake client. Every
``libvirt.libvirtError`` becomes a :class:`LibvirtOperationError`; lookups of missing objects
return ``None``.

The connection options are declared once (:func:`libvirt_argument_spec`) and documented once
(doc fragment ``strata.cloud.libvirt``).
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import env_fallback

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import (
    LibvirtConnectionError,
    LibvirtOperationError,
)

try:
    import libvirt
except ImportError:
    libvirt = None
    HAS_LIBVIRT = False
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_LIBVIRT = True
    LIBVIRT_IMPORT_ERROR = None

DEFAULT_URI = 'qemu:///system'
LIBVIRT_PYTHON_LIB = 'libvirt-python'

# Numeric values of the libvirt constants used below, so that this module can be imported (and
# its callers tested) without libvirt-python. They are part of libvirt's stable ABI.
VIR_ERR_NO_DOMAIN = 42
VIR_ERR_NO_NETWORK = 43
VIR_ERR_NO_STORAGE_POOL = 49
VIR_ERR_NO_STORAGE_VOL = 50
VIR_DOMAIN_XML_INACTIVE = 2
VIR_NETWORK_XML_INACTIVE = 1
VIR_STORAGE_XML_INACTIVE = 1
VIR_DOMAIN_UNDEFINE_MANAGED_SAVE = 1
VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA = 2
VIR_DOMAIN_UNDEFINE_NVRAM = 4
VIR_DOMAIN_AFFECT_LIVE = 1
VIR_DOMAIN_BLOCK_RESIZE_BYTES = 1
VIR_STORAGE_POOL_BUILD_NO_OVERWRITE = 4
VIR_CRED_AUTHNAME = 2
VIR_CRED_PASSPHRASE = 5

# virDomainState -> the words the modules report.
DOMAIN_STATES = {
    0: 'nostate',
    1: 'running',
    2: 'blocked',
    3: 'paused',
    4: 'shutdown',
    5: 'stopped',
    6: 'crashed',
    7: 'pmsuspended',
}
ACTIVE_STATES = frozenset(('running', 'blocked', 'paused', 'shutdown', 'pmsuspended'))

UPLOAD_CHUNK = 256 * 1024


def libvirt_argument_spec():
    """Connection options shared by every ``strata.cloud.libvirt_*`` module."""
    return dict(
        uri=dict(type='str', default=DEFAULT_URI, fallback=(env_fallback, ['LIBVIRT_DEFAULT_URI'])),
        username=dict(type='str', fallback=(env_fallback, ['LIBVIRT_AUTH_USERNAME'])),
        password=dict(type='str', no_log=True, fallback=(env_fallback, ['LIBVIRT_AUTH_PASSWORD'])),
    )


def client_from_params(params):
    """A :class:`LibvirtClient` for a module's validated parameters (not yet connected)."""
    return LibvirtClient(uri=params.get('uri') or DEFAULT_URI, username=params.get('username'),
                         password=params.get('password'))


def _ignore_errors(_ctx, _err):
    """libvirt prints every error to stderr by default; the client reports them itself."""


class LibvirtClient(object):
    """One connection to libvirtd. Use as a context manager: ``with client: ...``."""

    def __init__(self, uri=DEFAULT_URI, username=None, password=None):
        self.uri = uri
        self.username = username
        self.password = password
        self.conn = None

    # -- connection -------------------------------------------------------------------------

    def open(self):
        if self.conn is not None:
            return self
        if libvirt is None:
            raise LibvirtConnectionError('libvirt-python is not installed')
        libvirt.registerErrorHandler(_ignore_errors, None)
        try:
            if self.username or self.password:
                self.conn = libvirt.openAuth(
                    self.uri, [[VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE], self._auth_callback, None], 0)
            else:
                self.conn = libvirt.open(self.uri)
        except libvirt.libvirtError as exc:
            raise LibvirtConnectionError('cannot connect to libvirt at %s: %s'
                                         % (self.uri, exc.get_error_message()), uri=self.uri)
        if self.conn is None:
            raise LibvirtConnectionError('cannot connect to libvirt at %s' % self.uri, uri=self.uri)
        return self

    def _auth_callback(self, credentials, _data):
        for cred in credentials:
            if cred[0] == VIR_CRED_AUTHNAME:
                cred[4] = self.username or ''
            elif cred[0] == VIR_CRED_PASSPHRASE:
                cred[4] = self.password or ''
            else:
                return -1
        return 0

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except libvirt.libvirtError:
                pass
            self.conn = None

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()
        return False

    def _call(self, what, func, *args):
        try:
            return func(*args)
        except libvirt.libvirtError as exc:
            raise LibvirtOperationError('%s: %s' % (what, exc.get_error_message()),
                                        libvirt_error_code=exc.get_error_code())

    def _lookup(self, what, missing_code, func, *args):
        try:
            return func(*args)
        except libvirt.libvirtError as exc:
            if exc.get_error_code() == missing_code:
                return None
            raise LibvirtOperationError('%s: %s' % (what, exc.get_error_message()),
                                        libvirt_error_code=exc.get_error_code())

    # -- host ----------------------------------------------------------------------------------

    def capabilities(self):
        return self._call('reading host capabilities', self.conn.getCapabilities)

    # -- domains -------------------------------------------------------------------------------

    def lookup_domain(self, name):
        return self._lookup('looking up domain %s' % name, VIR_ERR_NO_DOMAIN, self.conn.lookupByName, name)

    def list_domains(self):
        return self._call('listing domains', self.conn.listAllDomains, 0)

    def domain_name(self, dom):
        return dom.name()

    def domain_xml(self, dom, inactive=False):
        flags = VIR_DOMAIN_XML_INACTIVE if inactive else 0
        return self._call('reading the XML of domain %s' % dom.name(), dom.XMLDesc, flags)

    def domain_state(self, dom):
        state = self._call('reading the state of domain %s' % dom.name(), dom.state)[0]
        return DOMAIN_STATES.get(state, 'nostate')

    def domain_is_active(self, dom):
        return self.domain_state(dom) in ACTIVE_STATES

    def domain_autostart(self, dom):
        return bool(self._call('reading autostart of domain %s' % dom.name(), dom.autostart))

    def set_domain_autostart(self, dom, value):
        self._call('setting autostart of domain %s' % dom.name(), dom.setAutostart, 1 if value else 0)

    def define_domain(self, xml):
        return self._call('defining domain', self.conn.defineXML, xml)

    def undefine_domain(self, dom):
        flags = (VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA
                 | VIR_DOMAIN_UNDEFINE_NVRAM)
        self._call('undefining domain %s' % dom.name(), dom.undefineFlags, flags)

    def start_domain(self, dom):
        self._call('starting domain %s' % dom.name(), dom.create)

    def resume_domain(self, dom):
        self._call('resuming domain %s' % dom.name(), dom.resume)

    def shutdown_domain(self, dom):
        self._call('shutting down domain %s' % dom.name(), dom.shutdown)

    def destroy_domain(self, dom):
        self._call('destroying domain %s' % dom.name(), dom.destroy)

    def attach_device_live(self, dom, xml):
        self._call('attaching a device to domain %s' % dom.name(), dom.attachDeviceFlags, xml,
                   VIR_DOMAIN_AFFECT_LIVE)

    def block_resize(self, dom, target, size):
        self._call('resizing disk %s of domain %s' % (target, dom.name()), dom.blockResize, target, size,
                   VIR_DOMAIN_BLOCK_RESIZE_BYTES)

    # -- networks ------------------------------------------------------------------------------

    def lookup_network(self, name):
        return self._lookup('looking up network %s' % name, VIR_ERR_NO_NETWORK, self.conn.networkLookupByName, name)

    def list_networks(self):
        return self._call('listing networks', self.conn.listAllNetworks, 0)

    def network_xml(self, net, inactive=False):
        flags = VIR_NETWORK_XML_INACTIVE if inactive else 0
        return self._call('reading the XML of network %s' % net.name(), net.XMLDesc, flags)

    def network_is_active(self, net):
        return bool(self._call('reading the state of network %s' % net.name(), net.isActive))

    def network_is_persistent(self, net):
        return bool(self._call('reading the state of network %s' % net.name(), net.isPersistent))

    def network_autostart(self, net):
        return bool(self._call('reading autostart of network %s' % net.name(), net.autostart))

    def set_network_autostart(self, net, value):
        self._call('setting autostart of network %s' % net.name(), net.setAutostart, 1 if value else 0)

    def define_network(self, xml):
        return self._call('defining network', self.conn.networkDefineXML, xml)

    def start_network(self, net):
        self._call('starting network %s' % net.name(), net.create)

    def stop_network(self, net):
        self._call('stopping network %s' % net.name(), net.destroy)

    def undefine_network(self, net):
        self._call('undefining network %s' % net.name(), net.undefine)

    # -- storage pools -------------------------------------------------------------------------

    def lookup_pool(self, name):
        return self._lookup('looking up storage pool %s' % name, VIR_ERR_NO_STORAGE_POOL,
                            self.conn.storagePoolLookupByName, name)

    def list_pools(self):
        return self._call('listing storage pools', self.conn.listAllStoragePools, 0)

    def pool_name(self, pool):
        return pool.name()

    def pool_xml(self, pool, inactive=False):
        flags = VIR_STORAGE_XML_INACTIVE if inactive else 0
        return self._call('reading the XML of storage pool %s' % pool.name(), pool.XMLDesc, flags)

    def pool_is_active(self, pool):
        return bool(self._call('reading the state of storage pool %s' % pool.name(), pool.isActive))

    def pool_info(self, pool):
        """``(capacity, allocation, available)`` in bytes."""
        info = self._call('reading the size of storage pool %s' % pool.name(), pool.info)
        return int(info[1]), int(info[2]), int(info[3])

    def pool_autostart(self, pool):
        return bool(self._call('reading autostart of storage pool %s' % pool.name(), pool.autostart))

    def set_pool_autostart(self, pool, value):
        self._call('setting autostart of storage pool %s' % pool.name(), pool.setAutostart, 1 if value else 0)

    def define_pool(self, xml):
        return self._call('defining storage pool', self.conn.storagePoolDefineXML, xml, 0)

    def create_transient_pool(self, xml):
        return self._call('starting a transient storage pool', self.conn.storagePoolCreateXML, xml, 0)

    def build_pool(self, pool, no_overwrite=False):
        flags = VIR_STORAGE_POOL_BUILD_NO_OVERWRITE if no_overwrite else 0
        self._call('building storage pool %s' % pool.name(), pool.build, flags)

    def start_pool(self, pool):
        self._call('starting storage pool %s' % pool.name(), pool.create, 0)

    def stop_pool(self, pool):
        self._call('stopping storage pool %s' % pool.name(), pool.destroy)

    def delete_pool(self, pool):
        self._call('deleting storage pool %s' % pool.name(), pool.delete, 0)

    def undefine_pool(self, pool):
        self._call('undefining storage pool %s' % pool.name(), pool.undefine)

    def refresh_pool(self, pool):
        self._call('refreshing storage pool %s' % pool.name(), pool.refresh, 0)

    def list_volumes(self, pool):
        return self._call('listing the volumes of storage pool %s' % pool.name(), pool.listAllVolumes, 0)

    # -- volumes -------------------------------------------------------------------------------

    def lookup_volume(self, pool, name):
        return self._lookup('looking up volume %s in pool %s' % (name, pool.name()), VIR_ERR_NO_STORAGE_VOL,
                            pool.storageVolLookupByName, name)

    def lookup_volume_by_path(self, path):
        return self._lookup('looking up volume %s' % path, VIR_ERR_NO_STORAGE_VOL,
                            self.conn.storageVolLookupByPath, path)

    def volume_name(self, vol):
        return vol.name()

    def volume_path(self, vol):
        return self._call('reading the path of volume %s' % vol.name(), vol.path)

    def volume_xml(self, vol):
        return self._call('reading the XML of volume %s' % vol.name(), vol.XMLDesc, 0)

    def volume_capacity(self, vol):
        """Virtual size in bytes."""
        return int(self._call('reading the size of volume %s' % vol.name(), vol.info)[1])

    def create_volume(self, pool, xml):
        return self._call('creating a volume in storage pool %s' % pool.name(), pool.createXML, xml, 0)

    def create_volume_from(self, pool, xml, source_vol):
        return self._call('copying volume %s into storage pool %s' % (source_vol.name(), pool.name()),
                          pool.createXMLFrom, xml, source_vol, 0)

    def resize_volume(self, vol, size):
        self._call('resizing volume %s' % vol.name(), vol.resize, size, 0)

    def delete_volume(self, vol):
        self._call('deleting volume %s' % vol.name(), vol.delete, 0)

    def upload_volume(self, vol, data):
        """Replace the content of ``vol`` with the bytes ``data`` through a libvirt stream."""
        stream = self._call('opening a stream', self.conn.newStream, 0)
        try:
            self._call('uploading to volume %s' % vol.name(), vol.upload, stream, 0, len(data), 0)
            offset = 0
            while offset < len(data):
                sent = self._call('uploading to volume %s' % vol.name(), stream.send,
                                  data[offset:offset + UPLOAD_CHUNK])
                if sent < 0:
                    raise LibvirtOperationError('uploading to volume %s: the stream refused data' % vol.name())
                offset += sent
            self._call('uploading to volume %s' % vol.name(), stream.finish)
        except Exception:
            try:
                stream.abort()
            except Exception:  # pylint: disable=broad-except
                pass
            raise
