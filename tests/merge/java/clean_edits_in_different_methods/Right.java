package com.example.util;

public final class Ranges {
    private Ranges() {}

    public static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    public static boolean contains(int v, int lo, int hi) {
        return v >= lo && v <= hi;
    }

    public static int length(int lo, int hi) {
        return Math.max(0, hi - lo + 1);
    }
}
