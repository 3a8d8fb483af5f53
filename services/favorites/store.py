"""Favorites' SQL."""


class FavoritesStore:
    def __init__(self, pool):
        self.pool = pool

    def intern(self, applicant_id):
        with self.pool.connection() as conn:
            return conn.execute("SELECT * FROM interns WHERE applicant_id = %s", (applicant_id,)).fetchone()
