#include <stdio.h>
#include <string.h>

static const char *level_name(int level)
{
    return level > 1 ? "error" : level == 1 ? "warning" : "info";
}

void report(int level, const char *msg)
{
    fprintf(stderr, "[%s] %s\n", level_name(level), msg);
}
