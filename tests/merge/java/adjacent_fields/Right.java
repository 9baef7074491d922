package com.example.http;

public class ClientConfig {
    private String baseUrl = "http://localhost:8080";
    private int connectTimeoutMillis = 2000;
    private int readTimeoutMillis = 15000;
    private int maxRetries = 2;

    public String baseUrl() {
        return baseUrl;
    }

    public int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }
}
