#include <string>

namespace util {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(' ');
    auto e = s.find_last_not_of(' ');
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

<<<<<<< ours
int twice(int x) {
    return 2 * x;
=======
int twice(int value) {
    return value + value;
>>>>>>> theirs
}

} // namespace util
