#include <stdlib.h>

char *dup_buffer(const char *src, size_t len)
{
    char *p = malloc(len + 2);
    if (!p)
        return NULL;
    for (size_t i = 0; i < len; i++)
        p[i] = src[i];
    p[len] = '\0';
    return p;
}
