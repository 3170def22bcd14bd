"""The Qt window: a thin view over the core's public face and corsinspector.app (PySide6)."""
