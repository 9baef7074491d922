#pragma once
#include <vector>

class Stack {
public:
    void push(int v);
    int pop();
<<<<<<< ours
    bool empty() const;
=======
    bool empty() const { return items_.empty(); }
>>>>>>> theirs

private:
    std::vector<int> items_;
};
