"""An attacker on the phones' network, for tests/it/attack.rs: asks a phoneprov server for many
names from one source address over one transport and prints a JSON tally of the answers.

    probe.py http|ftp|tftp HOST PORT SOURCE NAMES_FILE

HTTP: GET on one keep-alive connection (http.client), the status of each. FTP: SIZE on one
control connection (ftplib), the reply code of each (213 would reveal a file). TFTP: one read
request per name from one UDP socket, the first answer (DATA, OACK or the ERROR code). Any
answer that hands out a file is also listed by name under "served".
"""

import ftplib
import http.client
import json
import socket
import struct
import sys


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def http_walk(host, port, source, names):
    tally, served = {}, []
    conn = None
    for name in names:
        for _ in range(3):
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=10, source_address=(source, 0))
            try:
                conn.request("GET", "/" + name)
                reply = conn.getresponse()
                reply.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = None
        else:
            raise SystemExit(f"no answer for {name}")
        code = str(reply.status)
        tally[code] = tally.get(code, 0) + 1
        if reply.status in (200, 206):
            served.append(name)
        if reply.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = None
    return tally, served


def ftp_walk(host, port, source, names):
    tally, served = {}, []
    ftp = ftplib.FTP(timeout=10, source_address=(source, 0))
    ftp.connect(host, port)
    ftp.login("PlcmSpIp", "PlcmSpIp")
    ftp.voidcmd("TYPE I")
    for name in names:
        try:
            reply = ftp.sendcmd("SIZE " + name)
        except ftplib.Error as error:
            reply = str(error)
        code = reply[:3]
        tally[code] = tally.get(code, 0) + 1
        if code == "213":
            served.append(name)
    ftp.close()
    return tally, served


def tftp_walk(host, port, source, names):
    tally, served = {}, []
    sock = socket.socket(family(host), socket.SOCK_DGRAM)
    sock.bind((source, 0))
    sock.settimeout(5)
    for name in names:
        sock.sendto(b"\x00\x01" + name.encode() + b"\x00octet\x00", (host, port))
        packet, sender = sock.recvfrom(4096)
        opcode = struct.unpack("!H", packet[:2])[0]
        if opcode == 5:
            code = "error-%d" % struct.unpack("!H", packet[2:4])[0]
        else:
            code = "data"
            served.append(name)
            # Tell the transfer to stop: an ERROR to the transfer's own port.
            sock.sendto(b"\x00\x05\x00\x00stop\x00", sender)
        tally[code] = tally.get(code, 0) + 1
    sock.close()
    return tally, served


def main():
    transport, host, port, source, names_file = sys.argv[1:6]
    with open(names_file) as f:
        names = [line.strip() for line in f if line.strip()]
    walk = {"http": http_walk, "ftp": ftp_walk, "tftp": tftp_walk}[transport]
    tally, served = walk(host, int(port), source, names)
    print(json.dumps({"tally": tally, "served": served}))


main()
