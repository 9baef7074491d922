package com.example.cart;

import java.util.ArrayList;
import java.util.List;

public class Cart {
    private final List<Long> prices = new ArrayList<>();

    public void add(long price) {
        prices.add(price);
    }

    public long total() {
        long t = 0;
        for (long p : prices) {
            t = Math.addExact(t, p);
        }
        return t;
    }

    public void clear() {
        prices.clear();
    }
}
