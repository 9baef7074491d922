#include <stdio.h>
#include "settings.h"

int main(void) {
    return 0;
}

int one(void) {
    return 1;
}
