#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <limits.h>

static int parse_int(const char *text, int fallback)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || v > INT_MAX || v < INT_MIN)
        return fallback;
    return *end == '\0' ? (int)v : fallback;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? parse_int(argv[1], 10) : 10;
    for (int i = 0; i < n; i++)
        printf("%d\n", i);
    return 0;
}
