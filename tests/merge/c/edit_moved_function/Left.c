#include <string.h>

#include "table.h"

static unsigned hash_str(const char *s);

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

static unsigned hash_str(const char *s)
{
    unsigned h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}
