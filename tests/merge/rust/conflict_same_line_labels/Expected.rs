//! Greetings for the welcome screen.

pub fn farewell(name: &str) -> String {
    format!("Goodbye, {}.", name.trim())
}

pub fn greeting(name: &str) -> String {
    let name = name.trim();
<<<<<<< HEAD
    format!("Hello, {name}!")
=======
    format!("Hi, {}!", name)
>>>>>>> feature/hi
}
