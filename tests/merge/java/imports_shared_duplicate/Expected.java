package com.example.report;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.Optional;

public class Report {
    private final Map<String, List<Integer>> scores;

    public Report(Map<String, List<Integer>> scores) {
        this.scores = scores;
    }

    public int total(String name) {
        int sum = 0;
        for (int s : Optional.ofNullable(scores.get(name)).orElse(List.of())) {
            sum += s;
        }
        return sum;
    }

    public List<String> names() {
        return scores.keySet().stream().sorted().collect(Collectors.toList());
    }
}
