# The firmware descriptor's install directory must be one libvirt and QEMU
# search (docs/interop/firmware.json): /usr/share/qemu/firmware or
# /etc/qemu/firmware. ${prefix}/share/qemu/firmware for another prefix is
# never read, and SEV-ES guests would find no firmware.
if(NOT DIR STREQUAL "/usr/share/qemu/firmware" AND NOT DIR STREQUAL "/etc/qemu/firmware")
  message(FATAL_ERROR "firmware descriptor installs to ${DIR}, which libvirt never searches; "
                      "use /usr/share/qemu/firmware (prefix /usr) or /etc/qemu/firmware")
endif()
