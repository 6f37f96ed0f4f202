# Desktop integration files and the Debian package. Included from the top-level CMakeLists.txt
# after the targets' own install() rules (roadsight, roadsight-cli).
include(GNUInstallDirs)

set(roadsight_packaging_dir ${CMAKE_CURRENT_LIST_DIR})
install(FILES ${roadsight_packaging_dir}/roadsight.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${roadsight_packaging_dir}/roadsight.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${roadsight_packaging_dir}/roadsight.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
if(EXISTS ${PROJECT_SOURCE_DIR}/assets)
  # Shipped model weights, where models/bevformer/bevformer_perceiver.cpp looks for them.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/roadsight/assets)
endif()
install(PROGRAMS ${roadsight_packaging_dir}/convert_bevformer_checkpoint.py DESTINATION ${CMAKE_INSTALL_DATADIR}/roadsight)

set(CPACK_PACKAGE_NAME roadsight)
set(CPACK_PACKAGE_VENDOR "Roadsight")
set(CPACK_PACKAGE_CONTACT "Roadsight maintainers <maintainers@roadsight.invalid>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Desktop studio for driving world models")
set(CPACK_PACKAGE_INSTALL_DIRECTORY roadsight)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Linked libraries (Qt 6, libvulkan1, libstdc++) come from dpkg-shlibdeps; the rest is what the
# binaries open at run time: a Vulkan driver (lavapipe at least), Qt's xcb platform plugin and the
# UI font.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# OpenBLAS: Debian's LibTorch otherwise runs on the reference BLAS, about 36 times slower.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "mesa-vulkan-drivers | vulkan-icd, qt6-qpa-plugins, fonts-dejavu-core, libopenblas0-pthread")
# The official-checkpoint converter runs under Python with torch.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-torch")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Desktop studio for driving world models\n Live driving simulation with six-camera rendering, a bird's-eye view and\n nuScenes dataset playback.")

include(CPack)
