#include <stdio.h>
#include <time.h>

static const char *level_name(int level)
{
    return level > 1 ? "error" : level == 1 ? "warning" : "info";
}

void report(int level, const char *msg)
{
    fprintf(stderr, "%s: %s (%ld)\n", level_name(level), msg, (long)time(NULL));
}
