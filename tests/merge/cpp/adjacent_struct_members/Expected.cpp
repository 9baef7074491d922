#include <chrono>
#include <string>

struct ClientOptions {
    std::string host = "localhost";
    int port = 5432;
    std::chrono::seconds connect_timeout{15};
    int max_connections = 32;
    bool use_tls = false;
};

inline ClientOptions local_options()
{
    return ClientOptions{};
}
