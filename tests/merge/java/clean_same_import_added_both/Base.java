package com.example.time;

import java.time.Duration;

public final class Timeouts {
    private Timeouts() {}

    public static Duration connect() {
        return Duration.ofSeconds(5);
    }

    public static Duration read() {
        return Duration.ofSeconds(30);
    }
}
