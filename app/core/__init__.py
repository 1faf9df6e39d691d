"""Qt-free, I/O-free domain core: firms, jobs, routes, lots, events and the rules between them."""
