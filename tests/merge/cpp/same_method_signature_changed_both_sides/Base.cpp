class Greeter {
public:
    std::string greet(const std::string& name) const;
    int size() const;
};
