use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;
use std::collections::BTreeMap;

pub fn word_counts(path: &Path) -> io::Result<HashMap<String, usize>> {
    let text = fs::read_to_string(path)?;
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    Ok(counts)
}

pub fn sorted(counts: &HashMap<String, usize>) -> BTreeMap<&str, usize> {
    counts.iter().map(|(k, v)| (k.as_str(), *v)).collect()
}
