"""Configuration from environment variables, with development defaults."""

import ipaddress
import os
from typing import Any, overload
from urllib.parse import urlsplit, urlunsplit

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_PG_DSN = "postgresql://postgres@127.0.0.1:5432/"

SERVICES = ("identity", "applications", "postings", "favorites", "notifications")


@overload
def env(name: str) -> str | None: ...
@overload
def env(name: str, default: str) -> str: ...
def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def amqp_uri() -> str:
    return env("AMQP_URI", DEFAULT_AMQP_URI)


def database_name(service: str) -> str:
    """Each service owns one database; DB_SUFFIX keeps test runs apart."""
    return service + env("DB_SUFFIX", "")


def database_url(service: str) -> str:
    explicit = env("DATABASE_URL_" + service.upper())
    if explicit:
        return explicit
    return with_database(env("PG_DSN", DEFAULT_PG_DSN), database_name(service))


def with_database(dsn: str, dbname: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))


def admin_database_url(service: str) -> str:
    """A URL on the same server as the service's database, for CREATE DATABASE."""
    return with_database(database_url(service), "postgres")


#: HS256 keys shorter than this are guessable offline from any token.
MIN_JWT_SECRET_BYTES = 32


class ConfigError(Exception):
    """The configuration cannot work; the message is one line an operator can act on."""


def jwt_secret() -> str:
    """The token-signing key. There is no default: a key in the source signs for anyone who reads it."""
    secret = env("JWT_SECRET")
    if secret is None:
        raise ConfigError(
            "JWT_SECRET is not set; set it to a random value of at least "
            f"{MIN_JWT_SECRET_BYTES} bytes (make up generates one per installation)"
        )
    if len(secret.encode()) < MIN_JWT_SECRET_BYTES:
        raise ConfigError(
            f"JWT_SECRET is {len(secret.encode())} bytes long; it must be at least "
            f"{MIN_JWT_SECRET_BYTES} bytes of random data"
        )
    return secret


def revocation_refresh_seconds() -> float:
    """How often each gateway reloads the revocation table from identity (the backstop for a lost broadcast)."""
    return float(env("REVOCATION_REFRESH_SECONDS", "30"))


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies() -> tuple[IpNetwork, ...]:
    """Peers whose X-Forwarded-For names the client (TRUSTED_PROXIES: comma-separated addresses or CIDRs)."""
    networks: list[IpNetwork] = []
    for item in env("TRUSTED_PROXIES", "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ConfigError(f"TRUSTED_PROXIES: {item.strip()!r} is not an IP address or network") from None
    return tuple(networks)


def check(holds_signing_key: bool = True) -> None:
    """What a process checks before it starts; raises ConfigError."""
    if holds_signing_key:
        jwt_secret()
    trusted_proxies()


def jwt_ttl_seconds() -> int:
    return int(env("JWT_TTL_SECONDS", "3600"))


def gateway_port() -> int:
    return int(env("GATEWAY_PORT", "8000"))


def gateway_reuse_port() -> bool:
    """GATEWAY_REUSE_PORT=1: gateway replicas on one machine share the port (SO_REUSEPORT)."""
    return env("GATEWAY_REUSE_PORT", "0") == "1"


def rpc_timeout_seconds() -> float:
    return float(env("RPC_TIMEOUT_SECONDS", "5"))


def s3_endpoint_url() -> str | None:
    return env("S3_ENDPOINT_URL")


def s3_bucket() -> str:
    return env("S3_BUCKET", "jx-attachments")


def pool_size() -> int:
    return int(env("DB_POOL_SIZE", "10"))


def max_workers() -> int:
    return int(env("MAX_WORKERS", "10"))


def gateway_max_workers() -> int:
    return int(env("GATEWAY_MAX_WORKERS", "100"))


def event_queue_type() -> str:
    """ "classic" or "quorum" (replicated, for a RabbitMQ cluster) for the durable event queues."""
    return env("EVENT_QUEUE_TYPE", "classic")


def nameko_config(**extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "AMQP_URI": amqp_uri(),
        "max_workers": max_workers(),
        "EVENT_QUEUE_TYPE": event_queue_type(),
    }
    config.update(extra)
    return config
