"""artgan.generator_cli: the `artgan` command line only (one module per command group); nothing imports it."""
