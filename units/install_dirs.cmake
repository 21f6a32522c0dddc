# Where systemd, dbus and polkit look for sevd's files: each consumer's
# pkg-config variable when its .pc file is installed; otherwise the data
# directory the consumer itself was installed with (dbus and polkit read only
# their own, /usr/share on Debian, whatever sevd's prefix is); last, ours.
# Included by dbus/ (interface XML) and units/ (everything else); each
# directory scope computes the same values.

pkg_get_variable(SEVD_SYSTEMD_UNIT_DIR systemd systemdsystemunitdir)
if(NOT SEVD_SYSTEMD_UNIT_DIR)
  set(SEVD_SYSTEMD_UNIT_DIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
endif()

pkg_get_variable(SEVD_DBUS_DATADIR dbus-1 datadir)
if(NOT SEVD_DBUS_DATADIR)
  find_path(SEVD_DBUS_CONF_DIR system.conf PATHS /usr/share/dbus-1 NO_DEFAULT_PATH)
  if(SEVD_DBUS_CONF_DIR)
    get_filename_component(SEVD_DBUS_DATADIR ${SEVD_DBUS_CONF_DIR} DIRECTORY)
  else()
    set(SEVD_DBUS_DATADIR ${CMAKE_INSTALL_FULL_DATADIR})
  endif()
endif()
pkg_get_variable(SEVD_DBUS_SYSTEM_SERVICES_DIR dbus-1 system_bus_services_dir)
if(NOT SEVD_DBUS_SYSTEM_SERVICES_DIR)
  set(SEVD_DBUS_SYSTEM_SERVICES_DIR ${SEVD_DBUS_DATADIR}/dbus-1/system-services)
endif()
pkg_get_variable(SEVD_DBUS_INTERFACES_DIR dbus-1 interfaces_dir)
if(NOT SEVD_DBUS_INTERFACES_DIR)
  set(SEVD_DBUS_INTERFACES_DIR ${SEVD_DBUS_DATADIR}/dbus-1/interfaces)
endif()

pkg_get_variable(SEVD_POLKIT_ACTION_DIR polkit-gobject-1 actiondir)
if(NOT SEVD_POLKIT_ACTION_DIR)
  if(IS_DIRECTORY /usr/share/polkit-1/actions)
    set(SEVD_POLKIT_ACTION_DIR /usr/share/polkit-1/actions)
  else()
    set(SEVD_POLKIT_ACTION_DIR ${CMAKE_INSTALL_FULL_DATADIR}/polkit-1/actions)
  endif()
endif()

pkg_get_variable(SEVD_SYSUSERS_DIR systemd sysusersdir)
if(NOT SEVD_SYSUSERS_DIR)
  set(SEVD_SYSUSERS_DIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d)
endif()

# QEMU firmware descriptors: libvirt and QEMU read /usr/share/qemu/firmware
# (the distribution's), /etc/qemu/firmware (the administrator's) and the
# user's config directory, never ${prefix}/share. A /usr install (the
# package) ships with the distribution's; any other prefix is a local
# install, which is the administrator's.
if(NOT SEVD_QEMU_FIRMWARE_DIR)
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    set(SEVD_QEMU_FIRMWARE_DIR /usr/share/qemu/firmware)
  else()
    set(SEVD_QEMU_FIRMWARE_DIR /etc/qemu/firmware)
  endif()
endif()

message(STATUS "sevd install dirs: units ${SEVD_SYSTEMD_UNIT_DIR}, dbus ${SEVD_DBUS_DATADIR}/dbus-1, "
               "polkit ${SEVD_POLKIT_ACTION_DIR}, sysusers ${SEVD_SYSUSERS_DIR}, "
               "QEMU firmware descriptors ${SEVD_QEMU_FIRMWARE_DIR}")
