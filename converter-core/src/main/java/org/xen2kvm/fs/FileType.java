package org.xen2kvm.fs;

public enum FileType {
    REGULAR, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET
}
