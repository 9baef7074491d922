#include <string>

class Counter {
public:
    Counter() = default;

    void add(long amount, bool saturate) {
        m_total += amount;
    }

    int total() const {
        return m_total;
    }

private:
    int m_total = 0;
};
