"""The HTTP gateway: the only HTTP entry. Each area's routes live in gateway/routes/."""

from common.rpc import RequestId
from gateway.routes.applications import ApplicationsRoutes
from gateway.routes.favorites import FavoritesRoutes
from gateway.routes.identity import IdentityRoutes
from gateway.routes.notifications import NotificationsRoutes
from gateway.routes.ops import OpsRoutes
from gateway.routes.postings import PostingsRoutes
from gateway.routes.vocabulary import VocabularyRoutes
from gateway.routes.web import WebRoutes
from gateway.sessions import SessionRevocations


class GatewayService(
    OpsRoutes,
    IdentityRoutes,
    PostingsRoutes,
    FavoritesRoutes,
    ApplicationsRoutes,
    NotificationsRoutes,
    VocabularyRoutes,
    WebRoutes,
    SessionRevocations,
):
    name = "gateway"

    request_id = RequestId()
    # Services whose RPC ping /readyz checks.
    backends = ("identity", "favorites", "postings", "applications", "notifications")
