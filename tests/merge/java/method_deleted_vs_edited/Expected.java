package app;

public class Counter {
    private int count;

    public void increment() {
        count++;
    }

<<<<<<< ours
=======
    public void reset() {
        count = initial;
    }

>>>>>>> theirs
    public int get() {
        return count;
    }
}
