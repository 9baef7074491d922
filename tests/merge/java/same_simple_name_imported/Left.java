package app;

import java.util.Map;
import java.util.List;

public class Registry {
    private final Map<String, Integer> ids = null;
}
