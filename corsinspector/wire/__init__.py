"""The wire: our HTTP/1.1 transport, the scenario server, loopback mapping of symbolic
origins, and the headers each browser adds."""
