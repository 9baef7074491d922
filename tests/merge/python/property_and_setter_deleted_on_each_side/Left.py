class Temperature:
    def __init__(self):
        self._c = 0

    @property
    def celsius(self):
        return self._c

    def __str__(self):
        return f"{self._c} C"
