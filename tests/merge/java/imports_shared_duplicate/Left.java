package com.example.report;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

public class Report {
    private final Map<String, List<Integer>> scores;

    public Report(Map<String, List<Integer>> scores) {
        this.scores = scores;
    }

    public int total(String name) {
        int sum = 0;
        for (int s : scores.get(name)) {
            sum += s;
        }
        return sum;
    }

    public List<String> names() {
        return scores.keySet().stream().sorted().collect(Collectors.toList());
    }
}
