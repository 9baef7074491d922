#include <string>

namespace text {

inline bool starts_with(const std::string& s, const std::string& p)
{
    return s.compare(0, p.size(), p) == 0;
}

inline bool ends_with(const std::string& s, const std::string& p)
{
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

inline bool contains(const std::string& s, const std::string& p)
{
    return s.find(p) != std::string::npos;
}

inline std::string repeat(const std::string& s, int n)
{
    std::string out;
    while (n-- > 0)
        out += s;
    return out;
}

}  // namespace text
