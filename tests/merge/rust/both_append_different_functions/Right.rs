pub fn parse(s: &str) -> Option<u32> {
    s.trim().parse().ok()
}

pub fn parse_or(s: &str, default: u32) -> u32 {
    parse(s).unwrap_or(default)
}
