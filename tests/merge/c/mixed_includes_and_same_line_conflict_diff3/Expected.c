#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *level_name(int level)
{
    return level > 1 ? "error" : level == 1 ? "warning" : "info";
}

void report(int level, const char *msg)
{
<<<<<<< ours
    fprintf(stderr, "[%s] %s\n", level_name(level), msg);
||||||| base
    fprintf(stderr, "%s: %s\n", level_name(level), msg);
=======
    fprintf(stderr, "%s: %s (%ld)\n", level_name(level), msg, (long)time(NULL));
>>>>>>> theirs
}
