# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the simulator by hand: python -m proxmox_sim [--profile 9.1] (from tests/)."""

from __future__ import annotations

import argparse
import time

from .server import Simulator


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--profile', default='8.4', choices=['8.4', '9.1'])
    args = parser.parse_args()
    with Simulator(args.profile) as sim:
        sim.add_template()
        secret = sim.add_token('root@pam', 'automation', privsep=False)
        print('url %s  ca %s\nuser root@pam password root-secret  token root@pam!automation=%s' % (sim.url, sim.ca_path, secret))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


main()
