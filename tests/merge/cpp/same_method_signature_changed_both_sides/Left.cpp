class Greeter {
public:
    std::string greet(const std::string& name, bool loud) const;
    int size() const;
    void reset();
};
