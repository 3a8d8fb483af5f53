"""Figures the benchmarks share."""


def percentile(values, p):
    """The nearest-rank p-th percentile; nan when nothing was measured."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
