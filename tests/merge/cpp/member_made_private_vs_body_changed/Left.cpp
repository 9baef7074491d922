#include <string>

class Counter {
public:
    Counter() = default;

    int total() const {
        return m_total;
    }

private:
    void add(int amount) {
        m_total += amount;
    }

    int m_total = 0;
};
