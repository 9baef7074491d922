package com.example.id;

import java.util.UUID;

public final class Ids {
    private Ids() {}

    public static String next() {
        return "id-" + UUID.randomUUID();
    }

    public static String prefix() {
        return "id-";
    }
}
