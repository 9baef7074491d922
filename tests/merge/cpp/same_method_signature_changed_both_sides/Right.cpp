class Greeter {
public:
    std::string greet(const std::string& name, int times) const;
    int size() const;
    bool empty() const;
};
