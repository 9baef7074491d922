// greeter.hpp: the welcome line of the command-line tool.
#pragma once

#include <string>

class Greeter {
public:
    std::string greet(const std::string& name) const
    {
        return "Hello, " + name + "!";
    }
};
