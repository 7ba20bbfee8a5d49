"""nginx in front of the Rasa processes: a generated config, run in the foreground as a child process.

Everything nginx writes (pid, logs, temporary files) stays in its own prefix
directory, so it needs no root and never touches /etc/nginx or /var/log/nginx.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import List, Sequence

from bot.cluster.settings import NginxSettings

# Where each request went: the fault tests read which Rasa process answered, or that nginx retried
# ("upstream=127.0.0.1:A, 127.0.0.1:B"). The path without its query: `?token=` must not reach a log.
ACCESS_LOG_FORMAT = '$remote_addr "$request_method $uri" $status upstream=$upstream_addr upstream_status=$upstream_status'


def binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise FileNotFoundError("nginx is not installed: scripts/install-system-packages.sh cluster-packages.txt")
    return found


def access_log(prefix: Path) -> Path:
    return prefix / "access.log"


def write_config(prefix: Path, listen_port: int, rasa_ports: Sequence[int], settings: NginxSettings) -> Path:
    """nginx.conf in `prefix`, with an upstream of the Rasa processes on 127.0.0.1."""
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "temp" / temp).mkdir(parents=True, exist_ok=True)
    servers = "".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout={settings.fail_timeout_seconds:g}s;\n"
        for port in rasa_ports
    )
    # As root the workers would run as `nobody`, who may not enter the prefix; nothing here needs more than us.
    user = "user root;\n" if os.geteuid() == 0 else ""
    path = prefix / "nginx.conf"
    path.write_text(f"""{user}worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix / 'temp/client_body'};
    proxy_temp_path {prefix / 'temp/proxy'};
    fastcgi_temp_path {prefix / 'temp/fastcgi'};
    uwsgi_temp_path {prefix / 'temp/uwsgi'};
    scgi_temp_path {prefix / 'temp/scgi'};
    log_format upstreams '{ACCESS_LOG_FORMAT}';

    # Any process can take any turn: the conversation is in PostgreSQL, the turn's lock in Redis.
    upstream rasa {{
{servers}        keepalive 16;
    }}
    # socket.io keeps a session in the process that accepted it, and Engine.IO's long-polling sends
    # several requests per session: all of one client's requests must reach the same process.
    # Hashing the client address keeps them together (consistent: a dead process moves only its clients).
    # Behind another proxy every client has that proxy's address; hash on a forwarded address there.
    upstream rasa_socketio {{
        hash $remote_addr consistent;
{servers}    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      '';
    }}

    server {{
        listen 127.0.0.1:{listen_port};
        access_log {access_log(prefix)} upstreams;
        client_max_body_size 1m;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_connect_timeout {settings.connect_timeout_seconds:g}s;
        proxy_read_timeout {settings.read_timeout_seconds:g}s;

        location / {{
            proxy_pass http://rasa;
            proxy_set_header Connection "";
            # A refused or cut connection, or a 502/503, goes to the next process: POSTs too
            # (non_idempotent), or a customer's turn would fail whenever a process dies.
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries {settings.next_upstream_tries};
        }}
        location /socket.io/ {{
            proxy_pass http://rasa_socketio;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries {settings.next_upstream_tries};
        }}
    }}
}}
""")
    return path


def command(prefix: Path, config: Path) -> List[str]:
    return [binary(), "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log"), "-g", "daemon off;"]
