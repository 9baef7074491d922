#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>

static int parse_int(const char *text, int fallback)
{
    char *end;
    long v = strtol(text, &end, 10);
    return *end == '\0' ? (int)v : fallback;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--max") == 0) {
        printf("%d\n", INT_MAX);
        return 0;
    }
    int n = argc > 1 ? parse_int(argv[1], 10) : 10;
    for (int i = 0; i < n; i++)
        printf("%d\n", i);
    return 0;
}
