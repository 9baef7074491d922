package com.example.auth;

public class PasswordPolicy {
    public boolean accepts(String password) {
        if (password == null) {
            return false;
        }
        return password.length() >= 12;
    }
}
