#include <stdio.h>
<<<<<<< ours
#include "settings.h"
=======
#include "options.h"
>>>>>>> theirs

int main(void) {
    return 0;
}

<<<<<<< ours
int one(void) {
    return 1;
=======
int two(void) {
    return 2;
>>>>>>> theirs
}
