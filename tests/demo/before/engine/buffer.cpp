// A byte buffer for the git-autoloop demo.
#include <string>
#include <vector>

class Buffer {
public:
  void append(const std::string& text) { m_bytes.insert(m_bytes.end(), text.begin(), text.end()); }

private:
  std::vector<char> m_bytes;
};
