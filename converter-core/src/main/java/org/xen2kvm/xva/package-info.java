/**
 * XenServer / XCP-ng {@code xe vm-export} archives (XVA), read by one reader: a tar stream
 * (plain, gzip or zstd, told apart by magic bytes) holding {@code ova.xml}, the guest's
 * definition in XML-RPC value encoding ({@link org.xen2kvm.xva.XvaReader} maps it to the Xen
 * model), and each disk as numbered 1 MiB chunks with a SHA-1 or xxHash64 checksum after
 * every chunk ({@link org.xen2kvm.xva.XvaArchive}).
 */
package org.xen2kvm.xva;
