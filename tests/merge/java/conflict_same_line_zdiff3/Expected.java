package com.example.auth;

public class PasswordPolicy {
    public boolean accepts(String password) {
        if (password == null) {
            return false;
        }
<<<<<<< ours
        return password.length() >= 12;
||||||| base
        return password.length() >= 8;
=======
        return password.length() >= 8 && !password.isBlank();
>>>>>>> theirs
    }
}
