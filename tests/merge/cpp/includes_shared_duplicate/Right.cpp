#include <iostream>
#include <string>
#include <fstream>
#include <sstream>

int count_lines(std::istream& in)
{
    int n = 0;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            ++n;
    return n;
}

int main()
{
    std::cout << count_lines(std::cin) << '\n';
    return 0;
}
