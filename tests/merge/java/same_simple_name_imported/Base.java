package app;

import java.util.Map;

public class Registry {
    private final Map<String, Integer> ids = null;
}
