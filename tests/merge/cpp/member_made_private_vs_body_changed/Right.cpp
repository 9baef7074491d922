#include <string>

class Counter {
public:
    Counter() = default;

    void add(int amount) {
        m_total += amount > 0 ? amount : 0;
    }

    int total() const {
        return m_total;
    }

private:
    int m_total = 0;
};
