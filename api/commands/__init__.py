"""One module per ``riskmap`` command; ``api.cli`` registers them."""
