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
