"""A throw-away self-signed certificate for the recorder's https origins, made by the
``openssl`` command line (the browser is told to accept it: it is never trusted)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

from corsinspector.errors import CorsInspectorError

__all__ = ["throwaway_server_context"]


def throwaway_server_context(common_name: str = "corsinspector.test") -> ssl.SSLContext:
    """A server-side TLS context (HTTP/1.1 only) with a fresh self-signed certificate; the key
    and certificate files are removed once loaded."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CorsInspectorError("https origins need the openssl command (Debian: openssl)")
    folder = Path(tempfile.mkdtemp(prefix="corsinspector-tls-"))
    key, cert = folder / "key.pem", folder / "cert.pem"
    try:
        subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                f"/CN={common_name}",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            capture_output=True,
            timeout=30,
            check=True,
            stdin=subprocess.DEVNULL,
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
    except (OSError, subprocess.SubprocessError, ssl.SSLError) as error:
        raise CorsInspectorError(f"could not make a test certificate: {error}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    context.set_alpn_protocols(["http/1.1"])  # the scenario server speaks HTTP/1.1
    return context
