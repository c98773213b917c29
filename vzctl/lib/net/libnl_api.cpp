#include "net/libnl_api.h"

#include "vzkit/base/error.h"
#include "vzkit/base/shared_library.h"

namespace vz::net {
namespace {

class LoadedLibnl {
  public:
    LoadedLibnl()
        : library_(VZKIT_LIBNL_ROUTE_SONAME, VZ_SYSTEM_ERROR,
                   "Configuring the network needs " VZKIT_LIBNL_ROUTE_SONAME
                   " (Debian's libnl-route-3-200)") {
        // dlsym through the route library's handle finds libnl's own
        // functions too: it was loaded as its dependency.
#define VZKIT_LIBNL_BIND(name) library_.bind(api_.name, #name);
        VZKIT_LIBNL_FUNCTIONS(VZKIT_LIBNL_BIND)
#undef VZKIT_LIBNL_BIND
    }
    const LibnlApi &api() const {
        return api_;
    }

  private:
    SharedLibrary library_;
    LibnlApi api_;
};

} // namespace

const LibnlApi &nl() {
    // A failed load throws out of the initialisation and is tried again at
    // the next call.
    static const LoadedLibnl loaded;
    return loaded.api();
}

} // namespace vz::net
