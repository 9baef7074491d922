use std::collections::HashSet;
use std::fmt;

pub struct Tags(Vec<String>);

impl fmt::Display for Tags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.join(","))
    }
}

pub fn distinct(tags: &[String]) -> usize {
    tags.iter().collect::<std::collections::HashSet<_>>().len()
}
