/**
 * Reads XenServer / XCP-ng {@code xe vm-export} archives (XVA): a tar stream holding
 * {@code ova.xml} and each disk as numbered 1 MiB chunks with a SHA-1 or xxHash64 checksum
 * after every chunk, optionally gzip- or zstd-compressed.
 */
package org.xen2kvm.disk.xva;
