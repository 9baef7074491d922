pub struct Counter {
    hits: u64,
    misses: u64,
}

impl Counter {
    pub fn new() -> Self {
        Counter { hits: 0, misses: 0 }
    }

    pub fn record(&mut self, hit: bool) {
        if hit {
            self.hits += 1;
        } else {
            self.misses += 1;
        }
    }
}

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}
