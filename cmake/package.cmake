# The Debian package (CPack DEB), built by scripts/package: the binary, the default
# configuration (a conffile), the systemd units and the maintainer scripts in packaging/.
include(GNUInstallDirs)
# The package holds the program only: installing needs it, not the tests and benchmarks.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
install(TARGETS cbrnhub RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/cbrnhub.conf DESTINATION /etc/cbrnhub)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/cbrnhub.service
              ${PROJECT_SOURCE_DIR}/packaging/cbrnhub-backup.service
              ${PROJECT_SOURCE_DIR}/packaging/cbrnhub-backup.timer
        DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION share/doc/cbrnhub)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cbrnhub)
set(CPACK_PACKAGE_VERSION ${CBRNHUB_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "cbrnhub maintainers <cbrnhub@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "information system of the EU CBRN Centres of Excellence network")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "information system of the EU CBRN Centres of Excellence network
 Needs assessments, action plans, risk registers, round tables and export control for the
 partner countries, regional secretariats and programme staff, as a sandboxed systemd service
 with a nightly backup timer.")
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Library dependencies from the binary itself (dpkg-shlibdeps); the maintainer scripts need adduser.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, nginx, prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/deb/conffiles ${PROJECT_SOURCE_DIR}/packaging/deb/preinst
    ${PROJECT_SOURCE_DIR}/packaging/deb/postinst ${PROJECT_SOURCE_DIR}/packaging/deb/prerm
    ${PROJECT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
