// libass C API (Debian package libass-dev).
#include <ass/ass.h>
