// A byte buffer for the git-autoloop demo.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

typedef std::vector<char> Bytes;

class Buffer {
public:
  void append(const std::string& text) { m_bytes.insert(m_bytes.end(), text.begin(), text.end()); }

  bool empty() const { return m_bytes.size() == 0; }

  void dump(std::vector<std::string> lines) const {
    for (const auto& line : lines) {
      std::cout << line << std::endl;
    }
  }

  const char* data() const { return m_bytes.empty() ? NULL : m_bytes.data(); }

private:
  Bytes m_bytes;
};
