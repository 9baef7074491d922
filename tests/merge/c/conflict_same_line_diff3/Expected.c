#include <stdlib.h>

char *dup_buffer(const char *src, size_t len)
{
<<<<<<< ours
    char *p = calloc(len + 1, 1);
||||||| base
    char *p = malloc(len + 1);
=======
    char *p = malloc(len + 2);
>>>>>>> theirs
    if (!p)
        return NULL;
    for (size_t i = 0; i < len; i++)
        p[i] = src[i];
    p[len] = '\0';
    return p;
}
