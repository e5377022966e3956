// oneDNN C API (Debian package libdnnl-dev, oneDNN 2.x).
#include <oneapi/dnnl/dnnl.h>
