# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.strata.cloud`` importable when the tests run under plain pytest.

``ansible-test units`` sets up the collection loader itself; plain ``python -m pytest tests/unit``
from the collection directory does not, and the working directory resolves the symlink to the
checkout. The collection root is then taken from ANSIBLE_COLLECTIONS_PATH (tools/env.sh) or
from the logical working directory (``$PWD``).
"""

from __future__ import annotations

import os
import sys


def _add_collection_root():
    try:
        import ansible_collections.strata.cloud.plugins  # noqa: F401 pylint: disable=unused-import
        return
    except ImportError:
        pass
    candidates = [p for p in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if p]
    for start in (os.environ.get('PWD', ''), os.path.abspath(__file__)):
        parts = start.split(os.sep)
        if 'ansible_collections' in parts:
            index = len(parts) - 1 - parts[::-1].index('ansible_collections')
            candidates.append(os.sep.join(parts[:index]) or os.sep)
    for root in candidates:
        if os.path.isdir(os.path.join(root, 'ansible_collections', 'strata', 'cloud')) and root not in sys.path:
            sys.path.append(root)
            return


_add_collection_root()
