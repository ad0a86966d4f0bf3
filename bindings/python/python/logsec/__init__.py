"""logsec: cloud-native logs to security alerts.

The native engine lives in :mod:`logsec._native`; this package is its public face.
"""

from logsec._native import __version__

__all__ = ["__version__"]
