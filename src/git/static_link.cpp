// Linked into each static executable (autoloop_link_mode in CMakeLists.txt), never into the library: what a
// static link of Debian's libgit2.a needs to be both possible and cheap for programs that never open a
// network connection through libgit2. (A dynamic build has skip_ca_bundle.cpp instead.)
//
// 1. libgit2.a's HTTP transport calls GSSAPI (Kerberos "Negotiate" authentication), and Debian ships
//    no static libgssapi_krb5. These definitions answer every call with GSS_S_FAILURE, so libgit2
//    finds no Negotiate mechanism (gss_indicate_mechs fails) and never offers that authentication.
//    Prototypes follow RFC 2744's C bindings; the types the merge driver never looks into are opaque.
// 2. git_libgit2_init() sets up TLS and SSH for transports these programs never use: mbedTLS's
//    entropy (HAVEGE), the system's CA bundle, OpenSSL's engines for libssh2. That was 83% of the
//    merge driver's instructions on a one-line merge (2.3 of 2.8 million). The link wraps libgit2's
//    own entry points (-Wl,--wrap=..., CMakeLists.txt) so that it calls these instead:
//    - TLS is not set up, and a TLS stream is refused with a message (git_error_set_str): an HTTPS
//      connection fails, it never runs on a half-initialised mbedTLS and nothing is trusted blindly;
//    - SSH is not set up at init: libssh2 initialises itself on its first session
//      (_libssh2_init_if_needed), should there ever be one.

#include <git2/errors.h>

#include <cstdint>

using OM_uint32 = std::uint32_t;
struct gss_opaque;
using gss_ptr = gss_opaque*;

namespace {

// GSS_S_FAILURE: routine error 13 in the routine-error field (bits 16-23).
constexpr OM_uint32 k_gss_failure = 13u << 16;

OM_uint32 fail(OM_uint32* minor) {
  if (minor) *minor = 0;
  return k_gss_failure;
}

} // namespace

extern "C" {

// The one data symbol libgit2 takes from GSSAPI: the OID of host-based service names.
gss_ptr GSS_C_NT_HOSTBASED_SERVICE = nullptr;

OM_uint32 gss_indicate_mechs(OM_uint32* minor, gss_ptr* /*mechs*/) { return fail(minor); }
OM_uint32 gss_import_name(OM_uint32* minor, gss_ptr /*buffer*/, gss_ptr /*type*/, gss_ptr* /*name*/) { return fail(minor); }
OM_uint32 gss_init_sec_context(OM_uint32* minor, gss_ptr /*cred*/, gss_ptr* /*context*/, gss_ptr /*target*/,
                               gss_ptr /*mech*/, OM_uint32 /*flags*/, OM_uint32 /*time*/, gss_ptr /*bindings*/,
                               gss_ptr /*input*/, gss_ptr* /*actual_mech*/, gss_ptr /*output*/,
                               OM_uint32* /*ret_flags*/, OM_uint32* /*ret_time*/) {
  return fail(minor);
}
OM_uint32 gss_delete_sec_context(OM_uint32* minor, gss_ptr* /*context*/, gss_ptr /*output*/) { return fail(minor); }
OM_uint32 gss_display_status(OM_uint32* minor, OM_uint32 /*status*/, int /*type*/, gss_ptr /*mech*/,
                             OM_uint32* /*context*/, gss_ptr /*output*/) {
  return fail(minor);
}
OM_uint32 gss_release_buffer(OM_uint32* minor, gss_ptr /*buffer*/) { return fail(minor); }
OM_uint32 gss_release_name(OM_uint32* minor, gss_ptr* /*name*/) { return fail(minor); }
OM_uint32 gss_release_oid_set(OM_uint32* minor, gss_ptr* /*set*/) { return fail(minor); }

struct git_stream;

int __wrap_git_mbedtls_stream_global_init(void) { return 0; }
int __wrap_git_transport_ssh_global_init(void) { return 0; }

int __wrap_git_mbedtls_stream_new(git_stream** /*out*/, const char* /*host*/, const char* /*port*/) {
  git_error_set_str(GIT_ERROR_SSL, "git-autoloop opens no TLS connection through libgit2");
  return -1;
}
int __wrap_git_mbedtls_stream_wrap(git_stream** /*out*/, git_stream* /*in*/, const char* /*host*/) {
  return __wrap_git_mbedtls_stream_new(nullptr, nullptr, nullptr);
}
int __wrap_git_mbedtls__set_cert_location(const char* /*file*/, const char* /*path*/) {
  return __wrap_git_mbedtls_stream_new(nullptr, nullptr, nullptr);
}

} // extern "C"
