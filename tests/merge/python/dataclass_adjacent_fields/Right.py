from dataclasses import dataclass, field


@dataclass
class RetryPolicy:
    attempts: int = 3
    backoff: float = 0.5
    max_delay: float = 60.0
    retry_on: tuple = (TimeoutError, ConnectionError)
    tags: list = field(default_factory=list)

    def delay(self, attempt):
        return min(self.backoff * 2 ** attempt, self.max_delay)
