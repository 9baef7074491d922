use std::collections::HashMap;
use std::fs;

pub fn word_counts(path: &str) -> std::io::Result<HashMap<String, usize>> {
    let text = fs::read_to_string(path)?;
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    Ok(counts)
}
