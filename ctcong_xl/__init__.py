"""ctcong-xl: build, consolidate and monitor a provincial work programme in Excel."""

__version__ = "0.1.0"
