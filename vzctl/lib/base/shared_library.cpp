#include "vzkit/base/shared_library.h"

#include <dlfcn.h>

#include <utility>

namespace vz {

SharedLibrary::SharedLibrary(const char *soname, int code, const std::string &what)
    : handle_(::dlopen(soname, RTLD_NOW | RTLD_LOCAL)), soname_(soname), code_(code) {
    if (!handle_) {
        const char *reason = ::dlerror();
        throw Error(code, what + ": " + (reason ? reason : soname_ + " cannot be loaded"));
    }
}

SharedLibrary::SharedLibrary(SharedLibrary &&other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)), soname_(std::move(other.soname_)),
      code_(other.code_) {}

SharedLibrary &SharedLibrary::operator=(SharedLibrary &&other) noexcept {
    if (this != &other) {
        if (handle_)
            ::dlclose(handle_);
        handle_ = std::exchange(other.handle_, nullptr);
        soname_ = std::move(other.soname_);
        code_ = other.code_;
    }
    return *this;
}

SharedLibrary::~SharedLibrary() {
    if (handle_)
        ::dlclose(handle_);
}

void *SharedLibrary::symbol(const char *name) const {
    ::dlerror(); // a symbol may be NULL: only dlerror tells a failure
    void *address = ::dlsym(handle_, name);
    if (const char *reason = ::dlerror())
        throw Error(code_, soname_ + " has no " + name + ": " + reason);
    return address;
}

} // namespace vz
