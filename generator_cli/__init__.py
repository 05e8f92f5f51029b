"""artgan.generator_cli: the `artgan` command line and the painting API."""
