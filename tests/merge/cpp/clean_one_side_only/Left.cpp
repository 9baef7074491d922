// paging.hpp: page arithmetic for the buffer pool.
#pragma once

#include <cstddef>

constexpr std::size_t kPageSize = 4096;

constexpr std::size_t pages_for(std::size_t bytes)
{
    return (bytes + kPageSize - 1) / kPageSize;
}
