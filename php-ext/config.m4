dnl config.m4 for the leadscore extension.
dnl
dnl   phpize && ./configure --with-leadscore[=DIR] && make && make test
dnl
dnl DIR is the folder holding libleadscore.a, the static library of the C ABI
dnl (cargo build --release -p leadscore-c puts it in ../target/release, the default).
dnl The header comes from ../bindings-c/include unless LEADSCORE_INCLUDE names
dnl another folder. LEADSCORE_NATIVE_LIBS overrides the system libraries the Rust
dnl static library needs (what `rustc --print native-static-libs` reports).

PHP_ARG_WITH([leadscore],
  [for leadscore support],
  [AS_HELP_STRING([[--with-leadscore[=DIR]]],
    [Include leadscore support. DIR holds libleadscore.a (default: ../target/release)])])

if test "$PHP_LEADSCORE" != "no"; then
  if test "$PHP_LEADSCORE" = "yes"; then
    LEADSCORE_LIBDIR="$abs_srcdir/../target/release"
  else
    LEADSCORE_LIBDIR="$PHP_LEADSCORE"
  fi

  AC_MSG_CHECKING([for libleadscore.a])
  if test -d "$LEADSCORE_LIBDIR"; then
    LEADSCORE_LIBDIR="`cd "$LEADSCORE_LIBDIR" && pwd`"
  fi
  if test -f "$LEADSCORE_LIBDIR/libleadscore.a"; then
    AC_MSG_RESULT([$LEADSCORE_LIBDIR/libleadscore.a])
  else
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([libleadscore.a not found in $LEADSCORE_LIBDIR: run cargo build --release -p leadscore-c, or pass --with-leadscore=DIR])
  fi

  AC_MSG_CHECKING([for leadscore.h])
  if test -z "$LEADSCORE_INCLUDE"; then
    LEADSCORE_INCLUDE="$abs_srcdir/../bindings-c/include"
  fi
  if test -f "$LEADSCORE_INCLUDE/leadscore.h"; then
    AC_MSG_RESULT([$LEADSCORE_INCLUDE])
  else
    AC_MSG_RESULT([no])
    AC_MSG_ERROR([leadscore.h not found in $LEADSCORE_INCLUDE: set LEADSCORE_INCLUDE])
  fi
  PHP_ADD_INCLUDE([$LEADSCORE_INCLUDE])

  if test -z "$LEADSCORE_NATIVE_LIBS"; then
    LEADSCORE_NATIVE_LIBS="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
  fi

  dnl Link the static library even when the shared one sits beside it: the linker
  dnl sees a folder that holds only libleadscore.a.
  LEADSCORE_LINKDIR="$abs_builddir/leadscore-lib"
  mkdir -p "$LEADSCORE_LINKDIR"
  ln -sf "$LEADSCORE_LIBDIR/libleadscore.a" "$LEADSCORE_LINKDIR/libleadscore.a"

  dnl The system libraries must follow -lleadscore on the link line: AC_CHECK_LIB
  dnl puts LIBS after the library it checks.
  leadscore_save_LIBS="$LIBS"
  LIBS="$LEADSCORE_NATIVE_LIBS $LIBS"
  PHP_CHECK_LIBRARY([leadscore], [ls_abi_version],
    [
      PHP_ADD_LIBRARY_WITH_PATH([leadscore], [$LEADSCORE_LINKDIR], [LEADSCORE_SHARED_LIBADD])
      PHP_EVAL_LIBLINE([$LEADSCORE_NATIVE_LIBS], [LEADSCORE_SHARED_LIBADD])
      AC_DEFINE([HAVE_LEADSCORE], [1], [Whether libleadscore is available])
    ],
    [AC_MSG_ERROR([cannot link with $LEADSCORE_LIBDIR/libleadscore.a; see config.log])],
    [-L$LEADSCORE_LINKDIR])
  LIBS="$leadscore_save_LIBS"

  PHP_SUBST([LEADSCORE_SHARED_LIBADD])
  PHP_ADD_EXTENSION_DEP([leadscore], [json])
  PHP_ADD_EXTENSION_DEP([leadscore], [spl])
  PHP_NEW_EXTENSION([leadscore], [leadscore.c], [$ext_shared],, [-DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -Wall -Wextra -Wno-unused-parameter])
fi
