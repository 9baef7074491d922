package app;

import java.util.AbstractList;

public class Ring extends AbstractList<Integer> {
    private final int[] items = new int[8];

    public int capacity() {
        return items.length;
    }
    public int size() {
        return items.length;
    }

    @Override
    public Integer get(int index) {
        return items[index % items.length];
    }
}
