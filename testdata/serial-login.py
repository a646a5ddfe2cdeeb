#!/usr/bin/env python3
"""Log in on a guest's serial console and run commands (standard library only).

Connects to a QEMU serial console given as a unix socket
(-serial unix:PATH,server=on,wait=off) or a pty (-serial pty), waits for the
getty's "login:" prompt, logs in, runs each command and prints its output
between markers:

    === X2K LOGIN-PROMPT 12.3 s
    === X2K CMD 1: swapon --show
    ...output lines...
    === X2K RC 1: 0
    === X2K DONE

Exit status: 0 when every command ran (whatever their own status), 2 on
timeout or console error (the last console lines go to stderr).

Example:
    serial-login.py --socket /tmp/g.sock --timeout 300 -c 'ip -br addr' -c 'swapon --show'
"""
import argparse
import os
import re
import select
import socket
import sys
import termios
import time
import tty


ANSI_ESCAPE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')


class ConsoleTimeout(Exception):
    pass


class Console:
    """A byte stream to the serial console with a deadline on every wait."""

    def __init__(self, args, deadline):
        self.deadline = deadline
        self.buf = ''
        self.last_before = ''
        self.log = open(args.log, 'w', encoding='utf-8') if args.log else None
        self.sock = None
        self.fd = None
        if args.socket:
            while True:
                try:
                    self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self.sock.connect(args.socket)
                    break
                except OSError:
                    self.sock.close()
                    if time.monotonic() > deadline:
                        raise ConsoleTimeout('cannot connect to %s' % args.socket)
                    time.sleep(0.2)
            self.sock.setblocking(False)
        else:
            self.fd = os.open(args.pty, os.O_RDWR | os.O_NOCTTY)
            tty.setraw(self.fd)
            attrs = termios.tcgetattr(self.fd)
            attrs[3] &= ~termios.ECHO
            termios.tcsetattr(self.fd, termios.TCSANOW, attrs)

    def _fileno(self):
        return self.sock.fileno() if self.sock else self.fd

    def send(self, text):
        data = text.encode()
        if self.sock:
            self.sock.setblocking(True)
            self.sock.sendall(data)
            self.sock.setblocking(False)
        else:
            os.write(self.fd, data)

    def _read_some(self, timeout):
        ready, _, _ = select.select([self._fileno()], [], [], timeout)
        if not ready:
            return False
        data = self.sock.recv(65536) if self.sock else os.read(self.fd, 65536)
        if not data:
            raise ConsoleTimeout('console closed (guest or QEMU exited)')
        text = data.decode('utf-8', 'replace').replace('\r', '')
        if self.log:
            self.log.write(text)
            self.log.flush()
        self.buf += text
        # Keep memory bounded on a chatty console.
        if len(self.buf) > 1_000_000:
            self.buf = self.buf[-500_000:]
        return True

    def expect(self, pattern, poke=None, poke_every=5.0):
        """Wait for regex pattern; return the match and drop text before its end.

        poke, if given, is sent every poke_every seconds while waiting (a bare
        newline makes a getty print its prompt again). The text before the
        match is kept in last_before."""
        regex = re.compile(pattern, re.M)
        last_poke = time.monotonic()
        while True:
            match = regex.search(self.buf)
            if match:
                self.last_before = self.buf[:match.start()]
                self.buf = self.buf[match.end():]
                return match
            now = time.monotonic()
            if now > self.deadline:
                raise ConsoleTimeout('timed out waiting for %r' % pattern)
            if poke is not None and now - last_poke > poke_every:
                self.send(poke)
                last_poke = now
            self._read_some(min(1.0, max(0.05, self.deadline - now)))

    def tail(self, chars=3000):
        return self.buf[-chars:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument('--socket', help='unix socket of the serial console')
    where.add_argument('--pty', help='pty device of the serial console')
    parser.add_argument('--user', default='root')
    parser.add_argument('--password', default='xen2kvm')
    parser.add_argument('--timeout', type=float, default=300.0,
                        help='seconds for everything (default 300)')
    parser.add_argument('-c', '--command', action='append', default=[],
                        help='command to run (repeatable, in order)')
    parser.add_argument('--log', help='write the raw console transcript here')
    parser.add_argument('--poweroff', action='store_true',
                        help='send "poweroff" after the commands')
    args = parser.parse_args()

    start = time.monotonic()
    console = None
    try:
        console = Console(args, start + args.timeout)
        console.expect(r'login: *$', poke='\n', poke_every=10.0)
        print('=== X2K LOGIN-PROMPT %.1f s' % (time.monotonic() - start), flush=True)
        console.send(args.user + '\n')
        console.expect(r'[Pp]assword: *$')
        console.send(args.password + '\n')
        prompt = console.expect(r'(Login incorrect)|([#$] *$)')
        if prompt.group(1):
            raise ConsoleTimeout('login incorrect for %s' % args.user)
        # Quiet console: no kernel messages, no colours, no pager, no echo.
        console.send("stty -echo; dmesg -n 1; bind 'set enable-bracketed-paste off' 2>/dev/null;"
                     " export SYSTEMD_COLORS=0 SYSTEMD_PAGER= PAGER=cat TERM=dumb PS1=\n")
        # The markers are split in the typed line ("X2K-""B") so an echo of the
        # input can never be mistaken for the output.
        console.send('echo "X2K-""READY"\n')
        console.expect(r'X2K-READY$')
        for number, command in enumerate(args.command, 1):
            console.send('echo "X2K-""B%d"; %s; echo "X2K-""E%d rc=$?"\n' % (number, command, number))
            console.expect(r'X2K-B%d\n' % number)
            end = console.expect(r'X2K-E%d rc=(\d+)$' % number)
            output = ANSI_ESCAPE.sub('', console.last_before)
            print('=== X2K CMD %d: %s' % (number, command))
            sys.stdout.write(output)
            print('=== X2K RC %d: %s' % (number, end.group(1)), flush=True)
        if args.poweroff:
            console.send('poweroff\n')
        print('=== X2K DONE', flush=True)
        return 0
    except ConsoleTimeout as error:
        sys.stderr.write('serial-login: %s after %.1f s\n' % (error, time.monotonic() - start))
        if console:
            sys.stderr.write('--- last console output ---\n%s\n---\n' % console.tail())
        return 2


if __name__ == '__main__':
    sys.exit(main())
