class Greeter {
public:
<<<<<<< ours
    std::string greet(const std::string& name, bool loud) const;
=======
    std::string greet(const std::string& name, int times) const;
>>>>>>> theirs
    int size() const;
    void reset();
    bool empty() const;
};
