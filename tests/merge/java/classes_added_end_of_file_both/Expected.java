package shapes;

class Square {
    int side;
}


class Circle
{
    int radius;
}


class Triangle
{
    int base;
}