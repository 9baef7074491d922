#include <string>

class Counter {
public:
    Counter() = default;

<<<<<<< ours
=======
    void add(long amount, bool saturate) {
        m_total += amount;
    }

>>>>>>> theirs
    int total() const {
        return m_total;
    }

private:
    void add(int amount) {
        m_total += amount;
    }

    int m_total = 0;
};
