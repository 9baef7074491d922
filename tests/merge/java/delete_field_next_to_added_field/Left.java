package com.example.mail;

public class MailSettings {
    private String host = "smtp.example.com";
    private int port = 25;
    private String from = "noreply@example.com";

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}
