#include <string>
#include <vector>

class Path {
public:
    explicit Path(std::string text) : m_text(std::move(text)) {}

    const std::string& str() const { return m_text; }

    Path operator/(const std::string& part) const
    {
        if (m_text.empty() || m_text.back() == '/')
            return Path(m_text + part);
        return Path(m_text + "/" + part);
    }

    std::string filename() const
    {
        auto slash = m_text.rfind('/');
        return slash == std::string::npos ? m_text : m_text.substr(slash + 1);
    }

private:
    std::string m_text;
};
