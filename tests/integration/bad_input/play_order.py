"""Print the host batches of every play of a playbook, as ansible-playbook would run them.

usage: python play_order.py INVENTORY PLAYBOOK -> JSON [[["h1", ...], ...] per play]
Uses ansible-core's own PlaybookExecutor batching (hosts patterns, order, serial); runs no task.
"""

from __future__ import annotations

import json
import os
import sys

from ansible import context
from ansible.executor.playbook_executor import PlaybookExecutor
from ansible.inventory.manager import InventoryManager
from ansible.module_utils.common.collections import ImmutableDict
from ansible.parsing.dataloader import DataLoader
from ansible.playbook import Playbook
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar
from ansible.vars.manager import VariableManager


def batches(inventory_path, playbook_path):
    init_plugin_loader(os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(':'))
    context.CLIARGS = ImmutableDict(tags=[], skip_tags=[], listhosts=True, listtasks=False, listtags=False,
                                    syntax=False, forks=5, start_at_task=None, check=False, diff=False)
    loader = DataLoader()
    inventory = InventoryManager(loader=loader, sources=[inventory_path])
    variables = VariableManager(loader=loader, inventory=inventory)
    executor = PlaybookExecutor([playbook_path], inventory, variables, loader, {})
    result = []
    for play in Playbook.load(playbook_path, variable_manager=variables, loader=loader).get_plays():
        play.post_validate(Templar(loader=loader, variables=variables.get_vars(play=play)))
        result.append([[host.name for host in batch] for batch in executor._get_serialized_batches(play)])  # pylint: disable=protected-access
    return result


if __name__ == '__main__':
    print(json.dumps(batches(sys.argv[1], sys.argv[2])))
