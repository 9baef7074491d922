#include <vector>

struct Vec {
    double x, y;
};

Vec scale(const Vec& v, double factor)
{
    return Vec{v.x * factor, v.y * factor};
}
Vec scale(const Vec& v, int k)
{
    return Vec{v.x * k, v.y * k};
}
