pub fn is_even(n: u32) -> bool {
    n % 2 == 0
}

pub fn is_odd(n: u32) -> bool {
    !is_even(n)
}

pub fn is_prime(n: u32) -> bool {
    n >= 2 && (2..n).take_while(|d| d * d <= n).all(|d| n % d != 0)
}
