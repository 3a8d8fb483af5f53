"""Ports handed to child processes come from outside the kernel's ephemeral range and are free."""

import socket

import pytest

from deploy import system


def test_ports_are_outside_the_ephemeral_range_and_never_repeat():
    low, high = system.ephemeral_ports()
    ports = [system.free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(system.FIRST_PICKED_PORT <= port < 65536 and not low <= port <= high for port in ports)


def test_a_port_something_listens_on_is_not_picked(monkeypatch):
    port = system.free_port()
    # Only `port` is a candidate: the ephemeral range is made to cover every port above it.
    monkeypatch.setattr(system, "FIRST_PICKED_PORT", port)
    monkeypatch.setattr(system, "ephemeral_ports", lambda: (port + 1, 65535))
    monkeypatch.setattr(system, "_handed_out", set())
    with socket.create_server(("127.0.0.1", port)), pytest.raises(system.NotReady):
        system.free_port()
    assert system.free_port() == port
