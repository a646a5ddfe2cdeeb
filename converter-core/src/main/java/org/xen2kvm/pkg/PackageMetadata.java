package org.xen2kvm.pkg;

import java.util.List;

/**
 * What a package says about itself, in one model for both formats.
 *
 * @param version      Debian: the Version field; RPM: {@code [EPOCH:]VERSION-RELEASE}
 * @param architecture as the package writes it ({@code amd64}, {@code x86_64}, {@code i686}, {@code all}, {@code noarch})
 * @param depends      Debian: Pre-Depends then Depends; RPM: REQUIRENAME without {@code rpmlib(...)}
 * @param provides     names the package provides (Debian Provides; RPM PROVIDENAME)
 * @param scripts      maintainer scripts it carries (Debian {@code postinst} ...; RPM {@code %post} ...),
 *                     which offline installation does not run
 */
public record PackageMetadata(PackageFormat format, String name, String version, String architecture,
                              List<Dependency> depends, List<String> provides, List<String> scripts) {
    public PackageMetadata {
        depends = List.copyOf(depends);
        provides = List.copyOf(provides);
        scripts = List.copyOf(scripts);
    }
}
