"""Running the dashboard as a Trust runs things: several identical app processes behind nginx.

- ``deploy/nginx.conf.template``: the proxy rules (websocket upgrade, sticky routing by cookie,
  failover), the one source for ``make serve``, ``compose.yaml`` and a VM's system nginx.
- ``python -m deploy.nginx``: fills in the template (for a system nginx).
- ``python -m deploy.serve``: N replicas and Debian's nginx on loopback (``make serve``).
"""
