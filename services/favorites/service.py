"""Favorites' Nameko entrypoints."""
from nameko.rpc import rpc

from common.rpc import Pingable, RequestId, Store
from services.favorites import domain
from services.favorites.store import FavoritesStore


class FavoritesService(Pingable):
    name = "favorites"

    store = Store("favorites", FavoritesStore)
    request_id = RequestId()

    @rpc
    def intern_status(self, applicant_id):
        return domain.intern_status(self.store.intern(applicant_id))
