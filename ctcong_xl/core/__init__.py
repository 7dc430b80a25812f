"""The pure core: no file, network or Excel I/O happens in this package."""
