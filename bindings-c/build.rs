//! Gives the shared library its SONAME on Linux, so that a program linked with
//! `-lleadscore` (through the `libleadscore.so` symlink `make install` writes) loads
//! `libleadscore.so.<abi>` at run time and never a later, incompatible release. The
//! ABI version follows semver: the major version from 1.0 on, `0.<minor>` before.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_else(|_| "0".into());
    let abi = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libleadscore.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
