# CMake toolchain for the ppc64le guest's user land (tools/cross/build-userland.sh):
# Debian's cross gcc against a sysroot of Debian's ppc64el packages
# (PUDBENCH_SYSROOT), never the host's libraries.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_SYSROOT $ENV{PUDBENCH_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# static where Debian ships the .a, the shared library otherwise (the
# initramfs carries those: tools/vm/mkinitramfs.sh --sysroot)
set(PUDBENCH_PREFER_STATIC ON CACHE BOOL "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} $ENV{PUDBENCH_SYSROOT})
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_LIBDIR}
    "$ENV{PUDBENCH_SYSROOT}/usr/local/lib64/pkgconfig:$ENV{PUDBENCH_SYSROOT}/usr/local/lib/pkgconfig:$ENV{PUDBENCH_SYSROOT}/usr/lib/powerpc64le-linux-gnu/pkgconfig:$ENV{PUDBENCH_SYSROOT}/usr/share/pkgconfig")
