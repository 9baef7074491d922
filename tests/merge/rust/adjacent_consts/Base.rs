//! Connection pool limits.
//!
//! Tuned for a 4-core server; see docs/tuning.md.

pub const MAX_CONNECTIONS: usize = 64;
pub const IDLE_TIMEOUT_SECS: u64 = 30;
pub const BUFFER_SIZE: usize = 8 * 1024;

pub fn buffer() -> Vec<u8> {
    vec![0; BUFFER_SIZE]
}
