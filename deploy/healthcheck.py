"""The image's HEALTHCHECK: exit 0 when this container's process answers /healthz.

A service process answers on METRICS_PORT, the gateway on GATEWAY_PORT; a container
runs one of them, so the first port that answers decides. No curl in a slim image.
"""

import os
import sys
import urllib.request

TIMEOUT_SECONDS = 3


def healthy(ports):
    for port in ports:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=TIMEOUT_SECONDS) as resp:
                return resp.status == 200
        except OSError:
            continue
    return False


if __name__ == "__main__":
    ports = [os.environ.get("METRICS_PORT", "9100"), os.environ.get("GATEWAY_PORT", "8000")]
    sys.exit(0 if healthy(ports) else 1)
