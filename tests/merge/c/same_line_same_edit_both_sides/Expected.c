#include <stdio.h>

#define BUF_SIZE 8192
#define MAX_FILES 16

int copy(FILE *in, FILE *out)
{
    char buf[BUF_SIZE];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    return ferror(in) || ferror(out) ? -1 : 0;
}
