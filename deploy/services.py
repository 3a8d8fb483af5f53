"""Which class runs as which process."""

import importlib

SERVICE_CLASSES = {
    "gateway": ("gateway.service", "GatewayService"),
    "identity": ("services.identity.service", "IdentityService"),
    "applications": ("services.applications.service", "ApplicationsService"),
    "postings": ("services.postings.service", "PostingsService"),
    "favorites": ("services.favorites.service", "FavoritesService"),
    "notifications": ("services.notifications.service", "NotificationsService"),
}


def service_class(name: str) -> type:
    module, cls = SERVICE_CLASSES[name]
    found: type = getattr(importlib.import_module(module), cls)
    return found


def declare_event_queues(names: list[str], amqp_uri: str) -> list[str]:
    """Every durable event queue the consumers of these services declare, before anything publishes.

    The migration step and every process start run it for all of SERVICE_CLASSES.
    """
    from common import green

    green.quiet()
    from common import config, consumer  # imports Nameko, hence eventlet

    nameko_config = config.nameko_config(AMQP_URI=amqp_uri)
    return [queue for name in names for queue in consumer.declare_queues(service_class(name), nameko_config)]
