"""Services behind the routes: what a request does, so that routes only resolve and answer."""
