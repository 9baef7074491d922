"""Temperature readings."""

import statistics


class Series:
    def __init__(self, values=None):
        self.values = list(values or [])

    def add(self, value):
        self.values.append(value)

    def mean(self):
        return statistics.fmean(self.values)

    def spread(self):
        return max(self.values) - min(self.values)
