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


def service_class(name):
    module, cls = SERVICE_CLASSES[name]
    return getattr(importlib.import_module(module), cls)


def declare_event_queues(names, amqp_uri):
    """Every durable event queue of these services, before any of them starts."""
    from common import green
    green.quiet()
    from common import consumer  # imports Nameko, hence eventlet
    return [queue for name in names for queue in consumer.declare_queues(service_class(name), amqp_uri)]
