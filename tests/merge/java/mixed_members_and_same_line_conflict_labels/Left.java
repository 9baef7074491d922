package com.example.id;

import java.util.UUID;

public final class Ids {
    private Ids() {}

    public static String next() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    public static boolean isValid(String id) {
        return id.matches("[0-9a-f]{32}");
    }
}
