"""Start nginx as the reference server: `python -m stackbench.serve.launchers.nginx HOST PORT`.

Writes a configuration into the working directory and replaces itself with
nginx (exec, same pid), so `server.serve` starts, watches and stops it like
any server. One worker, no access log, the two scenarios' exact answers:
``GET /`` plain text and ``GET /json`` JSON. nginx is from Debian
(tools/bootstrap.sh installs it); stop it with SIGQUIT (graceful).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

CONFIG = """\
daemon off;
master_process on;
worker_processes 1;
{user}
pid {here}/nginx.pid;
error_log {here}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path {here}/client-body;
    proxy_temp_path {here}/proxy;
    fastcgi_temp_path {here}/fastcgi;
    uwsgi_temp_path {here}/uwsgi;
    scgi_temp_path {here}/scgi;
    server {{
        listen {host}:{port};
        location = / {{ default_type text/plain; return 200 "Hello, World!"; }}
        location = /json {{ default_type application/json; return 200 '{{"message":"Hello, World!"}}'; }}
    }}
}}
"""


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        sys.exit("nginx is not installed: apt-get install -y nginx (tools/bootstrap.sh does)")
    here = Path.cwd() / f"nginx-{port}"
    here.mkdir(exist_ok=True)
    # As root, nginx would switch its worker to www-data, which may not exist.
    user = "user root;" if os.geteuid() == 0 else ""
    config = here / "nginx.conf"
    config.write_text(CONFIG.format(user=user, here=here, host=host, port=port))
    os.execv(nginx, [nginx, "-p", str(here), "-e", str(here / "nginx-error.log"), "-c", str(config)])


if __name__ == "__main__":
    main()
