#include <string>

class Counter {
public:
    Counter() = default;

    int total() const {
        return m_total;
    }

private:
    void add(int amount) {
        m_total += amount > 0 ? amount : 0;
    }

    int m_total = 0;
};
