dnl config.m4 for the leadscore extension.
dnl
dnl   phpize && ./configure --with-leadscore[=DIR] && make && make test
dnl
dnl DIR is either the prefix the C library was installed under (make install
dnl PREFIX=DIR: DIR/lib/libleadscore.a, DIR/include/leadscore.h and
dnl DIR/lib/pkgconfig/leadscore.pc), or a folder holding libleadscore.a itself
dnl (cargo build --release -p leadscore-c puts it in ../target/release). Without DIR:
dnl ../target/release in a source checkout, else pkg-config's leadscore (set
dnl PKG_CONFIG_PATH for a library outside the default paths).
dnl The header comes from DIR/include, pkg-config's includedir or ../bindings-c/include
dnl unless LEADSCORE_INCLUDE names another folder. LEADSCORE_NATIVE_LIBS overrides the
dnl system libraries the Rust static library needs (leadscore.pc's Libs.private, what
dnl `rustc --print native-static-libs` reports).

PHP_ARG_WITH([leadscore],
  [for leadscore support],
  [AS_HELP_STRING([[--with-leadscore[=DIR]]],
    [Include leadscore support. DIR is the C library's install prefix or a folder holding libleadscore.a (default: ../target/release, else pkg-config)])])

if test "$PHP_LEADSCORE" != "no"; then
  LEADSCORE_PC=no
  LEADSCORE_PC_PATH="$PKG_CONFIG_PATH"
  if test "$PHP_LEADSCORE" != "yes" && test -d "$PHP_LEADSCORE"; then
    PHP_LEADSCORE="`cd "$PHP_LEADSCORE" && pwd`"
  fi
  if test "$PHP_LEADSCORE" = "yes"; then
    if test -f "$abs_srcdir/../target/release/libleadscore.a"; then
      LEADSCORE_LIBDIR="$abs_srcdir/../target/release"
    else
      AC_MSG_CHECKING([for leadscore with pkg-config])
      if test -n "$PKG_CONFIG" && $PKG_CONFIG --exists leadscore; then
        LEADSCORE_PC=yes
        LEADSCORE_LIBDIR="`$PKG_CONFIG --variable=libdir leadscore`"
        test -n "$LEADSCORE_INCLUDE" || LEADSCORE_INCLUDE="`$PKG_CONFIG --variable=includedir leadscore`"
        AC_MSG_RESULT([`$PKG_CONFIG --modversion leadscore` in $LEADSCORE_LIBDIR])
      else
        AC_MSG_RESULT([no])
        AC_MSG_ERROR([the leadscore C library was not found: install it first (make install PREFIX=DIR, or the libleadscore tarball), then pass --with-leadscore=DIR or set PKG_CONFIG_PATH=DIR/lib/pkgconfig])
      fi
    fi
  elif test -f "$PHP_LEADSCORE/lib/libleadscore.a"; then
    dnl An install prefix.
    LEADSCORE_LIBDIR="$PHP_LEADSCORE/lib"
    test -n "$LEADSCORE_INCLUDE" || LEADSCORE_INCLUDE="$PHP_LEADSCORE/include"
    if test -f "$PHP_LEADSCORE/lib/pkgconfig/leadscore.pc"; then
      LEADSCORE_PC=yes
      LEADSCORE_PC_PATH="$PHP_LEADSCORE/lib/pkgconfig"
    fi
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
    AC_MSG_ERROR([libleadscore.a not found in $LEADSCORE_LIBDIR: pass --with-leadscore=DIR with the C library's install prefix, or run cargo build --release -p leadscore-c in a source checkout])
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

  if test -z "$LEADSCORE_NATIVE_LIBS" && test "$LEADSCORE_PC" = yes && test -n "$PKG_CONFIG"; then
    dnl leadscore.pc's Libs.private, without -lleadscore itself.
    LEADSCORE_NATIVE_LIBS="`PKG_CONFIG_PATH="$LEADSCORE_PC_PATH" $PKG_CONFIG --static --libs-only-l leadscore | sed 's/-lleadscore//'`"
  fi
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
