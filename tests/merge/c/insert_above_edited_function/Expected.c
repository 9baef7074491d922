#include <stdio.h>

void log_line(FILE *f, const char *msg)
{
    fprintf(f, "%s\n", msg);
}

void log_info(const char *msg)
{
    log_line(stdout, msg);
}

void log_error(const char *where, const char *msg)
{
    fprintf(stderr, "%s: ", where);
    log_line(stderr, msg);
}
