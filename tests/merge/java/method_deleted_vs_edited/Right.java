package app;

public class Counter {
    private int count;

    public void increment() {
        count++;
    }

    public void reset() {
        count = initial;
    }

    public int get() {
        return count;
    }
}
