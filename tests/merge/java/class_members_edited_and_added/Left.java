package com.example.cart;

import java.util.ArrayList;
import java.util.List;

public class Cart {
    private final List<Long> prices = new ArrayList<>();

    public void add(long price) {
        if (price < 0) {
            throw new IllegalArgumentException("negative price");
        }
        prices.add(price);
    }

    public long total() {
        long t = 0;
        for (long p : prices) {
            t += p;
        }
        return t;
    }

    public int size() {
        return prices.size();
    }
}
