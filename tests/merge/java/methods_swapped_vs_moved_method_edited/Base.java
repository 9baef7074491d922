package io;

public class Channel {
    private boolean open;

    public void close() {
        open = false;
    }

    public void open() {
        open = true;
    }

    public boolean isOpen() {
        return open;
    }
}
