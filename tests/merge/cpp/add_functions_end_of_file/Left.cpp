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

inline bool is_pow2(std::uint32_t x)
{
    return x && !(x & (x - 1));
}
