// A shared library loaded at run time (dlopen) by the commands that need it,
// so that the others do not pay for loading it and its dependencies at every
// start (docs/architecture.md, costs): libarchive for unpacking templates, in
// shared-library builds of the tools only (VZKIT_STATIC off; a static tool
// links it in). Closed (dlclose) when the object goes.
#pragma once

#include "vzkit/base/error.h"

#include <string>

namespace vz {

class SharedLibrary {
  public:
    // Loads soname with every symbol bound now (RTLD_NOW: a missing symbol
    // fails here, not at the first call). Throws Error(code, what + ": " +
    // dlerror()) when it cannot be loaded; `what` says which package holds it.
    SharedLibrary(const char *soname, int code, const std::string &what);
    SharedLibrary(SharedLibrary &&other) noexcept;
    SharedLibrary &operator=(SharedLibrary &&other) noexcept;
    SharedLibrary(const SharedLibrary &) = delete;
    SharedLibrary &operator=(const SharedLibrary &) = delete;
    ~SharedLibrary();

    // Sets fn to the library's function `name`, whose type the caller takes
    // from the library's own header (decltype(&::lvm2_run)), so every call is
    // checked against the prototype. Throws Error(code) when it is missing.
    template <typename Fn>
    void bind(Fn &fn, const char *name) const {
        fn = reinterpret_cast<Fn>(symbol(name));
    }

  private:
    void *symbol(const char *name) const;

    void *handle_ = nullptr;
    std::string soname_;
    int code_ = VZ_SYSTEM_ERROR;
};

} // namespace vz
