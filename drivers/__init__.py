"""Devices: gauges, balances, scanners and machine signals, each opened from one URL.

Layers, each testable alone: ``codecs`` (pure bytes → events), ``transport``
(pyserial), ``supervisor`` (reconnect with backoff), ``device`` (the shared
interface), ``ports`` (discovery, VID/PID re-find, hot-plug), ``modbus`` (machine
signals), ``recorder`` (machine states into the store) and ``sim`` (simulators).
No Qt here: the UI bridges ``Device.on_event`` to its own signals.
"""

from drivers.device import Device, open_device
from drivers.readings import (
    Ack,
    DeviceEvent,
    Fault,
    Link,
    LinkEvent,
    MachineState,
    Reading,
    Scan,
    Status,
    event_json,
)
from drivers.url import DeviceUrlError, parse_device_url

__all__ = [
    "Ack",
    "Device",
    "DeviceEvent",
    "DeviceUrlError",
    "Fault",
    "Link",
    "LinkEvent",
    "MachineState",
    "Reading",
    "Scan",
    "Status",
    "event_json",
    "open_device",
    "parse_device_url",
]
