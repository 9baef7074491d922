#include <string>

class Counter {
public:
    Counter() = default;

    int total() const noexcept {
        return total_;
    }

    std::string label() const {
        return "count";
    }

    void add(int n) {
        total_ += n;
    }

private:
    int total_ = 0;
};
