#include <string>

class Counter {
public:
    Counter() = default;

    void add(int n) {
        total_ += n;
    }

    int total() const noexcept {
        return total_;
    }

    std::string label() const {
        return "count";
    }

private:
    int total_ = 0;
};
