#include <stdio.h>

void log_line(FILE *f, const char *msg)
{
    fprintf(f, "%s\n", msg);
}

void log_error(const char *msg)
{
    log_line(stderr, msg);
}
