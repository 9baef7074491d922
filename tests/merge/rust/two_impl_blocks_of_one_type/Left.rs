pub struct Counter {
    count: u32,
}

impl Counter {
    pub fn reset(&mut self) {
        self.count = 0;
    }
}

impl Counter {
    pub fn new() -> Self {
        Counter { count: 0 }
    }
}

impl Counter {
    pub fn get(&self) -> u32 {
        self.count
    }
}

pub fn start() -> Counter {
    Counter::new()
}

pub fn twice() -> u32 {
    2
}
