#include <string.h>

int is_blank(const char *s)
{
    return s[strspn(s, " \t\r\n")] == '\0';
}

int is_comment(const char *s)
{
    return s[0] == '#';
}

int is_section(const char *s)
{
    return s[0] == '[' && strchr(s, ']') != NULL;
}
