package app;

import java.util.Map;
import java.awt.List;

public class Registry {
    private final Map<String, Integer> ids = null;
}
