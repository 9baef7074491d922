public class Greeter {
    private final String prefix;

    public Greeter(String prefix) {
        this.prefix = prefix;
    }

<<<<<<< ours
    public String greet(String name, boolean loud) {
=======
    public String greet(String name, int times) {
>>>>>>> theirs
        String text = prefix + ", " + name;
        return text + "!";
    }

    public int size() {
        return prefix.length();
    }
}
