package shapes;

class Square {
    int side;
}


class Circle
{
    int radius;
}