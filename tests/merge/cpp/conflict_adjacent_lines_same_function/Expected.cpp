#include <string>
#include <vector>

std::vector<std::string> split(const std::string& s, char sep)
{
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
<<<<<<< ours
            out.push_back(std::move(cur));
            cur.clear();
||||||| base
            out.push_back(cur);
            cur.clear();
=======
            out.push_back(cur);
            cur = std::string();
>>>>>>> theirs
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}
