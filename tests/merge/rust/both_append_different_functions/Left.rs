pub fn parse(s: &str) -> Option<u32> {
    s.trim().parse().ok()
}

pub fn parse_hex(s: &str) -> Option<u32> {
    u32::from_str_radix(s.trim(), 16).ok()
}
