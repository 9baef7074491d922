use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

pub fn word_counts(path: &Path) -> io::Result<HashMap<String, usize>> {
    let text = fs::read_to_string(path)?;
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    Ok(counts)
}
