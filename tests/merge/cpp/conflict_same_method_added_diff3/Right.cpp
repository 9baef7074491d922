#include <vector>

class Stack {
public:
    void push(int v) { m_items.push_back(v); }

    int pop()
    {
        int v = m_items.back();
        m_items.pop_back();
        return v;
    }

    int top() const { return m_items.empty() ? 0 : m_items.back(); }

private:
    std::vector<int> m_items;
};
