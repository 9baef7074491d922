// shapes.hpp: areas of the shapes the layout engine knows.
#pragma once

struct Square {
    double side;
};

struct Circle {
    double radius;
};

struct Rect {
    double w, h;
};

inline double area(const Square& s) { return s.side * s.side; }

inline double area(const Circle& c) { return 3.141592653589793 * c.radius * c.radius; }

inline double area(const Rect& r) { return r.w * r.h; }
