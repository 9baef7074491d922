// bits.hpp: small bit tricks used by the allocator.
#pragma once

#include <cstdint>

inline std::uint32_t popcount32(std::uint32_t x)
{
    std::uint32_t n = 0;
    for (; x; x &= x - 1)
        ++n;
    return n;
}

inline std::uint32_t next_pow2(std::uint32_t x)
{
    if (x <= 1)
        return 1;
    --x;
    for (int s = 1; s < 32; s <<= 1)
        x |= x >> s;
    return x + 1;
}
