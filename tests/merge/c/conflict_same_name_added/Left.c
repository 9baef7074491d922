/*
 * bits.c: bit rotation helpers used by the hash functions.
 *
 * Rotations by 0 or 32 are undefined for the plain shift form; callers
 * pass 1..31.
 */

#include <stdint.h>

uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

uint32_t rotr32(uint32_t x, int r)
{
    return (x >> r) | (x << (32 - r));
}
