//! Greetings for the welcome screen.

pub fn farewell(name: &str) -> String {
    format!("Goodbye, {}.", name.trim())
}

pub fn greeting(name: &str) -> String {
    let name = name.trim();
    format!("Hello, {}!", name)
}
