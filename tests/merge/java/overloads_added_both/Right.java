package com.example.fmt;

public final class Pad {
    private Pad() {}

    public static String left(String s, int width) {
        return left(s, width, ' ');
    }

    public static String left(String s, int width, char fill) {
        StringBuilder sb = new StringBuilder();
        for (int i = s.length(); i < width; i++) {
            sb.append(fill);
        }
        return sb.append(s).toString();
    }

    public static String left(long n, int width) {
        return left(Long.toString(n), width, '0');
    }
}
