#include <iostream>
#include <string>
#include <algorithm>
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

int main(int argc, char** argv)
{
    if (argc > 1) {
        std::ifstream f(argv[1]);
        std::cout << count_lines(f) << '\n';
        return 0;
    }
    std::cout << count_lines(std::cin) << '\n';
    return 0;
}
