// Linked into each dynamically linked executable only (autoloop_link_mode in CMakeLists.txt: sanitizer builds,
// or where a static archive is missing), not the library: keeps libgit2 from parsing the system's CA
// certificates in every process. Static executables get the same from static_link.cpp.
//
// Debian's libgit2 1.5 is built with mbedTLS, and git_libgit2_init() loads the whole CA bundle
// (/etc/ssl/certs) into mbedTLS: about 5 ms of base64 and ASN.1 decoding per process, a quarter of
// a no-op rescan and of a merge-driver call. git-autoloop never opens a network connection through
// libgit2 (it never fetches or pushes: the user's own `git push` does), so the certificates are never used.
//
// These definitions take the place of mbedTLS's for the calls libgit2 makes at init (the dynamic
// linker binds libgit2's references to the executable's symbols first). They load nothing: should a
// later change ever make libgit2 open an HTTPS connection, certificate verification fails
// ("no trusted certificate"), it never silently trusts a server. tests/e2e/startup.sh checks the
// binding.

extern "C" {

struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(mbedtls_x509_crt* /*chain*/, const char* /*path*/) { return 0; }

int mbedtls_x509_crt_parse_path(mbedtls_x509_crt* /*chain*/, const char* /*path*/) { return 0; }

} // extern "C"
