"""Simulators that drive the real transports: pseudo-terminal gauges, balances and
scanners (``GaugeSimulator``), and a Modbus machine on loopback (``MachineSimulator``)."""
