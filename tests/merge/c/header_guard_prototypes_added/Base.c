#ifndef RING_H
#define RING_H

#include <stddef.h>

struct ring {
    unsigned char *data;
    size_t cap, head, tail;
};

int ring_init(struct ring *r, size_t cap);
void ring_free(struct ring *r);
size_t ring_push(struct ring *r, const void *src, size_t n);

#endif
