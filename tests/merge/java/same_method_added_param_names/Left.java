public class Shape {
    private final int side;

    public Shape(int side) {
        this.side = side;
    }

    public int perimeter() {
        return 4 * side;
    }

    public int scaled(int factor) {
        return side * factor;
    }
}
