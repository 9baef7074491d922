import functools

from app.logging import log_calls


<<<<<<< ours
@functools.cache
=======
@log_calls
>>>>>>> theirs
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def square(n):
    return n * n
