use std::collections::HashMap;

#[derive(Debug)]
pub struct Cache {
    entries: HashMap<String, String>,
}

impl Cache {
    pub fn new() -> Self {
        Cache { entries: HashMap::new() }
    }
}
