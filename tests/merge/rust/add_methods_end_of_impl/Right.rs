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

    pub fn hit_rate(&self) -> f64 {
        let total = self.hits + self.misses;
        if total == 0 { 0.0 } else { self.hits as f64 / total as f64 }
    }
}

impl Default for Counter {
    fn default() -> Self {
        Self::new()
    }
}
