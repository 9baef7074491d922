#include <stdio.h>
#include "options.h"

int main(void) {
    return 0;
}

int two(void) {
    return 2;
}
