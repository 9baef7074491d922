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
    return scale(v, static_cast<double>(k));
}
