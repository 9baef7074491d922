package com.example.id;

import java.util.UUID;

public final class Ids {
    private Ids() {}

    public static String next() {
<<<<<<< HEAD
        return UUID.randomUUID().toString().replace("-", "");
=======
        return "id-" + UUID.randomUUID();
>>>>>>> origin/main
    }

    public static boolean isValid(String id) {
        return id.matches("[0-9a-f]{32}");
    }

    public static String prefix() {
        return "id-";
    }
}
