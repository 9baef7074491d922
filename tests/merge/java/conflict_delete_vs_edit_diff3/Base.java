package com.example.user;

public class User {
    private final String name;
    private final String email;

    public User(String name, String email) {
        this.name = name;
        this.email = email;
    }

    public String getName() {
        return name;
    }

    public String getDisplayName() {
        return name + " <" + email + ">";
    }

    public String getEmail() {
        return email;
    }
}
