/**
 * Supplied kernel packages (Debian {@code .deb}, {@code .rpm}) read natively and installed
 * offline into a guest filesystem: the ar/tar and RPM lead/header/cpio readers, the common
 * model ({@link org.xen2kvm.pkg.KernelPackage}: name, version, architecture, dependencies,
 * the kernel release it carries, its entries), the refusals (another architecture, not a
 * kernel, dependencies the guest lacks) and {@link org.xen2kvm.pkg.PackageInstaller}.
 * Package files are hostile input: every length and offset is checked, and a corrupt package
 * fails with a one-line {@link org.xen2kvm.pkg.PackageFormatException}.
 */
package org.xen2kvm.pkg;
