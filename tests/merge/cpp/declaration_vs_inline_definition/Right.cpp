#pragma once
#include <vector>

class Stack {
public:
    void push(int v);
    int pop();
    bool empty() const { return items_.empty(); }

private:
    std::vector<int> items_;
};
