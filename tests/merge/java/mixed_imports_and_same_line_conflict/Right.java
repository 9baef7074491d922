package com.example.io;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Files;

public final class Files2 {
    private Files2() {}

    public static String read(Path p) throws IOException {
        return Files.readString(p).strip();
    }
}
