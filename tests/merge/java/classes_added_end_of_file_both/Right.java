package shapes;

class Square {
    int side;
}


class Triangle
{
    int base;
}