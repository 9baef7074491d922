#include <ctype.h>

int count_digits(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (isdigit((unsigned char)*s))
            n++;
    return n;
}

int all_space(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}
