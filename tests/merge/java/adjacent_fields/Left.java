package com.example.http;

public class ClientConfig {
    private String baseUrl = "http://localhost:8080";
    private int connectTimeoutMillis = 1000;
    private int readTimeoutMillis = 5000;
    private int maxRetries = 2;

    public String baseUrl() {
        return baseUrl;
    }

    public int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }
}
