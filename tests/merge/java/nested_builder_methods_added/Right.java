package com.example.http;

public final class Request {
    private final String url;
    private final int timeoutMillis;

    private Request(Builder b) {
        this.url = b.url;
        this.timeoutMillis = b.timeoutMillis;
    }

    public static final class Builder {
        private String url;
        private int timeoutMillis = 10_000;

        public Builder url(String url) {
            this.url = url;
            return this;
        }

        public Builder get(String url) {
            return url(url);
        }

        public Request build() {
            return new Request(this);
        }
    }
}
