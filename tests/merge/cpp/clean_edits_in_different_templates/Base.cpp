#include <vector>

template <typename T>
T sum(const std::vector<T>& v)
{
    T s{};
    for (const auto& x : v)
        s += x;
    return s;
}

template <typename T>
T max_of(const std::vector<T>& v)
{
    T m = v.front();
    for (const auto& x : v)
        if (m < x)
            m = x;
    return m;
}
