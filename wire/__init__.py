"""The wire format shared by terminals and the hub: the event envelope, payload
declarations, private fields, canonical text and schema versions. Qt-free and I/O-free;
both ``app`` and ``hub`` import it, neither is imported by it."""
