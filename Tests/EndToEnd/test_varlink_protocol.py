"""The daemon's control socket against the independent Python varlink client, and hostile input."""

import json
import socket
import sqlite3
import threading
import time

import pytest
import varlink

MANAGER = "io.sentinel.Manager"


def test_get_info_lists_interfaces_and_every_description_parses(daemon):
    with varlink.Client(address=daemon.address) as client:
        info = client.get_interface("org.varlink.service")
        assert info.name == "org.varlink.service"
        with client.open("org.varlink.service") as service:
            reply = service.GetInfo()
            assert reply["vendor"] == "Sentinel" and reply["product"] == "sentineld"
            assert reply["interfaces"] == ["org.varlink.service", MANAGER]
        for name in reply["interfaces"]:
            interface = client.get_interface(name)  # parses the IDL text with the client's scanner
            assert interface.name == name
        manager = client.get_interface(MANAGER)
        for method in ("GetStatus", "AddServer", "RemoveServer", "EnableTools", "RevokeSession", "WatchChanges"):
            assert method in manager.members


def test_method_call_and_named_error_round_trip(daemon):
    with varlink.Client(address=daemon.address) as client, client.open(MANAGER) as manager:
        added = manager.AddServer({"name": "fs", "transport": "stdio", "command": ["/bin/true"]})
        assert added["server"]["name"] == "fs"
        with pytest.raises(varlink.VarlinkError) as error:
            manager.GetServer("ghost")
        assert error.value.error() == f"{MANAGER}.NoSuchServer"
        assert error.value.parameters() == {"name": "ghost"}
        with pytest.raises(varlink.VarlinkError) as error:
            manager.AddServer({"name": "fs", "transport": "stdio", "command": ["/bin/true"]})
        assert error.value.error() == f"{MANAGER}.ServerExists"


def raw_call(sock, message):
    sock.sendall(json.dumps(message).encode() + b"\0")
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(65536)
        assert chunk, "connection closed"
        data += chunk
    return [json.loads(part) for part in data[:-1].split(b"\0")]


def connect(daemon):
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(str(daemon.socket))
    sock.settimeout(5)
    return sock


def test_parameters_are_checked_against_the_idl(daemon):
    with connect(daemon) as sock:
        cases = [
            ({"method": f"{MANAGER}.GetServer", "parameters": {}}, "org.varlink.service.InvalidParameter", {"parameter": "name"}),
            ({"method": f"{MANAGER}.GetServer", "parameters": {"name": 3}}, "org.varlink.service.InvalidParameter", {"parameter": "name"}),
            ({"method": f"{MANAGER}.GetServer", "parameters": {"name": "x", "extra": 1}}, "org.varlink.service.InvalidParameter", {"parameter": "extra"}),
            ({"method": f"{MANAGER}.AddServer", "parameters": {"server": {"name": "x", "transport": "ftp"}}}, "org.varlink.service.InvalidParameter", {"parameter": "server.transport"}),
            ({"method": f"{MANAGER}.Nope"}, "org.varlink.service.MethodNotFound", {"method": f"{MANAGER}.Nope"}),
            ({"method": "com.example.Nope.Call"}, "org.varlink.service.InterfaceNotFound", {"interface": "com.example.Nope"}),
            ({"method": f"{MANAGER}.WatchChanges"}, "org.varlink.service.ExpectedMore", None),
        ]
        for message, error, parameters in cases:
            [reply] = raw_call(sock, message)
            assert reply["error"] == error, message
            assert reply.get("parameters") == parameters, message


def test_oneway_calls_get_no_reply(daemon):
    with connect(daemon) as sock:
        sock.sendall(json.dumps({"method": f"{MANAGER}.AddServer", "oneway": True,
                                 "parameters": {"server": {"name": "quiet", "transport": "stdio", "command": ["/bin/true"]}}}).encode() + b"\0")
        [reply] = raw_call(sock, {"method": f"{MANAGER}.GetServer", "parameters": {"name": "quiet"}})
        assert reply["parameters"]["server"]["name"] == "quiet"


def test_more_streams_changes_to_the_python_client(daemon):
    received = []
    ready = threading.Event()

    def watch():
        with varlink.Client(address=daemon.address) as client, client.open(MANAGER) as manager:
            stream = manager.WatchChanges(_more=True)
            ready.set()
            for reply in stream:
                if reply["change"]["pid"] != 0:  # skip the daemon's own events (catalog refreshes)
                    received.append(reply["change"])
                if len(received) == 2:
                    return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    ready.wait(5)
    time.sleep(0.3)
    daemon.ctl("server", "add", "one", "--", "/bin/true")
    daemon.ctl("endpoint", "create", "two")
    thread.join(10)
    assert [(c["action"], c["name"]) for c in received] == [("server-add", "one"), ("endpoint-create", "two")]
    assert all(c["uid"] >= 0 and c["pid"] > 0 for c in received)


def store_snapshot(daemon):
    db = sqlite3.connect(daemon.database())
    dump = "\n".join(db.iterdump())
    db.close()
    return dump


@pytest.mark.parametrize("payload", [
    b"garbage\0",
    b"\xff\xfe\x00",
    b'{"method": 42}\0',
    b'[1,2,3]\0',
    b'{"parameters": {}}\0',
    b'{"method": "io.sentinel.Manager.RemoveServer", "parameters": {"name": "keep"}',  # truncated, then closed
    b"{" + b" " * (2 * 1024 * 1024),  # oversized, no terminator
], ids=["garbage", "invalid-utf8", "method-not-string", "not-an-object", "no-method", "truncated", "oversized"])
def test_hostile_messages_close_only_that_connection_and_change_nothing(daemon, payload):
    daemon.ctl("server", "add", "keep", "--", "/bin/true")
    before = store_snapshot(daemon)
    with connect(daemon) as bystander:
        [reply] = raw_call(bystander, {"method": f"{MANAGER}.GetStatus"})
        assert "parameters" in reply
        with connect(daemon) as attacker:
            try:
                attacker.sendall(payload)
                attacker.shutdown(socket.SHUT_WR)
                assert attacker.recv(65536) == b"", "the daemon must close a connection that sent a malformed message"
            except (BrokenPipeError, ConnectionResetError):
                pass
        [reply] = raw_call(bystander, {"method": f"{MANAGER}.GetServer", "parameters": {"name": "keep"}})
        assert reply["parameters"]["server"]["name"] == "keep"
    assert store_snapshot(daemon) == before
    assert daemon.process.poll() is None
