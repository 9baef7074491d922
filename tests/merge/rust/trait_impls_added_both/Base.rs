use std::fmt;

#[derive(Clone, Copy, PartialEq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn gray(v: u8) -> Self {
        Rgb(v, v, v)
    }
}
