package com.example.time;

import java.time.Duration;
import java.util.Objects;

public final class Timeouts {
    private Timeouts() {}

    public static Duration connect() {
        return Objects.requireNonNull(Duration.ofSeconds(5));
    }

    public static Duration read() {
        return Objects.requireNonNull(Duration.ofSeconds(60));
    }
}
