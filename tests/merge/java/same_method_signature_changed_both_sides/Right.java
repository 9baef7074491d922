public class Greeter {
    private final String prefix;

    public Greeter(String prefix) {
        this.prefix = prefix;
    }

    public String greet(String name, int times) {
        String text = prefix + ", " + name;
        return text + "!";
    }

    public int size() {
        return prefix.length();
    }
}
