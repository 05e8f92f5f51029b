"""artgan.evaluation: quality figures that need no pretrained network (numpy only).

- :mod:`.swd`: Sliced Wasserstein Distance on Laplacian pyramids (ProGAN, Karras et al. 2017);
- :mod:`.ms_ssim`: MS-SSIM diversity (ACGAN, Odena et al. 2017) and the mode-collapse flag;
- :mod:`.memorisation`: nearest-training-image distances and the share of near copies;
- :mod:`.lattice`: the lattice-peak score of periodic grids (upscaler and generator artefacts);
- :mod:`.edges`: the edge-contrast score of a painted frame or edge columns;
- :mod:`.streaks`: the streak score of fine texture drawn in lines (rows or columns);
- :mod:`.report`: all three for one generated set against one real set, as a JSON-ready dict.

No TensorFlow and no ONNX Runtime here: callers bring uint8 images [N, H, W, 3].
"""
