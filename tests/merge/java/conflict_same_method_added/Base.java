package com.example.list;

import java.util.List;

public final class Lists {
    private Lists() {}

    public static <T> T first(List<T> list) {
        return list.get(0);
    }
}
