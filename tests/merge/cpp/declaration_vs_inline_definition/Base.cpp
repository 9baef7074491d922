#pragma once
#include <vector>

class Stack {
public:
    void push(int v);
    int pop();

private:
    std::vector<int> items_;
};
