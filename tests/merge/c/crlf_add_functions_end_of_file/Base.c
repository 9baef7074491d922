#include <ctype.h>

int count_digits(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (isdigit((unsigned char)*s))
            n++;
    return n;
}
