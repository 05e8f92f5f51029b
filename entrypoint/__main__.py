"""`python -m artgan`: the same as the `artgan` command (handy where the venv's bin/ is not on PATH)."""

from artgan.generator_cli.app import main

main()
