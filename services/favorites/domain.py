"""Favorites rules. Pure: no I/O."""
from common import regions


def intern_status(intern_row):
    """The `intern` block of /api/v1/me, from the favorites service's own projection."""
    if intern_row is None:
        return {"eligible": False, "jurisdiction": None}
    return {"eligible": True, "jurisdiction": regions.describe(intern_row["jurisdiction_city"],
                                                               intern_row["jurisdiction_county"])}
