#include <vector>

struct Vec {
    double x, y;
};

Vec scale(const Vec& v, double k)
{
    return Vec{v.x * k, v.y * k};
}
Vec scale(const Vec& v, int k)
{
    return Vec{v.x * k, v.y * k};
}
