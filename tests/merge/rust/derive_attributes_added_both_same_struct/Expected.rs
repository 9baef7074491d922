use std::collections::HashMap;

<<<<<<< ours
#[derive(Debug)]
=======
#[derive(Clone)]
>>>>>>> theirs
pub struct Cache {
    entries: HashMap<String, String>,
}

impl Cache {
    pub fn new() -> Self {
        Cache { entries: HashMap::new() }
    }
}
