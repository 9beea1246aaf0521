"""gunicorn's settings, read from the environment as strictly as the application's (vawg/env.py).

gunicorn reads this file from the folder it starts in, so `gunicorn` alone serves the application:

    .venv/bin/gunicorn            # or: .venv/bin/gunicorn -c gunicorn.conf.py

See README "Running at scale" for the variables.
"""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from vawg.env import Env

env = Env()


def _cpus() -> int:
    # The CPUs this process may run on (a container's share), not every CPU of the host.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _forwarded_allow_ips() -> str:
    """Whose X-Forwarded-* headers gunicorn believes: the same proxies the application is told to trust."""
    behind_proxy = env.bool("TRUST_X_FORWARDED_PROTO", False) or env.int("TRUSTED_PROXY_COUNT", 0, minimum=0) > 0
    if not behind_proxy:
        if "FORWARDED_ALLOW_IPS" in env.environ:
            raise ImproperlyConfigured(
                "FORWARDED_ALLOW_IPS is set but neither TRUST_X_FORWARDED_PROTO nor TRUSTED_PROXY_COUNT says a proxy "
                "is in front; set those too, or unset FORWARDED_ALLOW_IPS."
            )
        return ""  # nobody's: without a proxy, every forwarded header comes from the client
    # A proxy on the same host by default; "*" only when nothing but the load balancer can reach gunicorn.
    allowed = env.list("FORWARDED_ALLOW_IPS", ["127.0.0.1", "::1"])
    for entry in allowed:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"Environment variable FORWARDED_ALLOW_IPS has {entry!r}, which is neither an address, a network "
                "(10.0.0.0/8) nor *."
            ) from None
    return ",".join(allowed)


wsgi_app = "vawg.wsgi:application"
bind = env.list("GUNICORN_BIND", ["0.0.0.0:8000"])  # noqa: S104 (behind the load balancer, in its network)
workers = env.int("WEB_CONCURRENCY", 2 * _cpus() + 1, minimum=1)
# Recycle each worker after this many requests (0: never), staggered so they do not all restart at once.
max_requests = env.int("GUNICORN_MAX_REQUESTS", 2000, minimum=0)
max_requests_jitter = env.int("GUNICORN_MAX_REQUESTS_JITTER", max_requests // 10, minimum=0)
# Pages answer in well under a second; report builds and large imports run in the task workers, not here.
timeout = env.int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = env.int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
forwarded_allow_ips = _forwarded_allow_ips()
# Access and error logs on stdout/stderr, for the platform's log collector; with the time taken in milliseconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
loglevel = env.choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR"]).lower()
# The workers' heartbeat files in memory: a slow or full disk must not get healthy workers killed. (gunicorn
# creates them with mkstemp, so a shared folder is safe.)
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108
