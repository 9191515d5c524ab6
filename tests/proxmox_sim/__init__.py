# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Proxmox VE API simulator for tests and benchmarks (HTTPS on 127.0.0.1, schema-checked)."""

from __future__ import annotations

from .corosync import Fabric
from .schema import SchemaMissing, schema_dir
from .server import Simulator

__all__ = ['Fabric', 'Simulator', 'SchemaMissing', 'schema_dir']
