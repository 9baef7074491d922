pub fn parse(s: &str) -> Option<u32> {
    s.trim().parse().ok()
}

pub fn parse_hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s.trim(), 16).ok()
}

pub fn parse_or(s: &str, default: u32) -> u32 {
    parse(s).unwrap_or(default)
}
