"""Serve a fixture site by hand: ``python -m tests.support.sites jobsite|channel|social [--port N]``.

The example sources in ``sources/`` point at these sites on ports 8801-8803.
"""

from __future__ import annotations

import argparse
import time

from tests.support.sites.channel import ChannelSite
from tests.support.sites.jobsite import JobSite
from tests.support.sites.server import serve
from tests.support.sites.social import SocialSite

SITES = {"jobsite": (JobSite, 8801), "channel": (ChannelSite, 8802), "social": (SocialSite, 8803)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("site", choices=sorted(SITES))
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args()
    factory, port = SITES[args.site]
    app = factory()
    with serve(app.route, args.port if args.port is not None else port) as site:
        app.base_url = site.base_url
        print(f"{args.site} on {site.base_url} (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
