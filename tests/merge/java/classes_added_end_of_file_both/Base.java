package shapes;

class Square {
    int side;
}
