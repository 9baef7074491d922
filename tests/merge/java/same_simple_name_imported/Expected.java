package app;

import java.util.Map;
<<<<<<< ours
import java.util.List;
=======
import java.awt.List;
>>>>>>> theirs

public class Registry {
    private final Map<String, Integer> ids = null;
}
