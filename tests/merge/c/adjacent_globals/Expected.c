#include <stdbool.h>

static int verbosity = 1;
static bool dry_run = true;
static const char *output_path = "out.txt";

void set_options(int v, bool dry, const char *out)
{
    verbosity = v;
    dry_run = dry;
    output_path = out;
}
