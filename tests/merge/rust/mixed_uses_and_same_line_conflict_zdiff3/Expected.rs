use std::fmt::Write;
use std::iter::FromIterator;
use std::num::Wrapping;

pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        write!(out, "{:02x}", b).unwrap();
    }
    out
}

pub fn checksum(bytes: &[u8]) -> u8 {
<<<<<<< ours
    bytes.iter().fold(0u8, |acc, b| acc ^ *b)
||||||| base
    bytes.iter().fold(0u8, |acc, b| acc.wrapping_add(*b))
=======
    bytes.iter().fold(0u8, |acc, b| acc.wrapping_add(*b)).wrapping_neg()
>>>>>>> theirs
}
