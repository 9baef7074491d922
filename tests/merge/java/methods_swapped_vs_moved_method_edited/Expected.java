package io;

public class Channel {
    private boolean open;

    public void open() {
        open = true;
    }

    public void close() {
        flush();
        open = false;
    }

    public boolean isOpen() {
        return open;
    }
}
