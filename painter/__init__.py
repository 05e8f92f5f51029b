"""artgan's painting engine: latents -> ONNX Runtime -> pixels -> upscaling -> files with provenance.

A library used by every front end that paints (the CLI, the daily scheduler, the studio); it
needs numpy, Pillow and onnxruntime only, and imports nothing above it.
"""
