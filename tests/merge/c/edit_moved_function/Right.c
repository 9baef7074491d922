#include <string.h>

#include "table.h"

static unsigned hash_str(const char *s)
{
    unsigned h = 2166136261u;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    return h;
}

unsigned table_slot(const struct table *t, const char *key)
{
    return hash_str(key) % t->size;
}

const char *table_find(const struct table *t, const char *key)
{
    unsigned i = table_slot(t, key);
    while (t->keys[i]) {
        if (strcmp(t->keys[i], key) == 0)
            return t->values[i];
        i = (i + 1) % t->size;
    }
    return NULL;
}
