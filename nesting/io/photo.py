"""Read a photo of a hide on the cutting table (PNG or JPEG) into a hide, and write what it found.

The file handling lives here: recognising a photo, decoding it with Pillow (turned upright by its
EXIF orientation, as a phone stores it), refusing pictures that are not images or too large to
handle, and naming the file in every error. The image analysis is :mod:`leathernest.capture`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from leathernest.errors import InputError

PHOTO_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_PIXELS = 60_000_000  # a 60 MP picture is ~180 MB decoded: well past any phone's 4000 x 3000
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def is_photo(path: str | Path) -> bool:
    """Whether the file should be read as a photo: a PNG/JPEG name, or PNG/JPEG bytes."""
    p = Path(path)
    if p.suffix.lower() in PHOTO_SUFFIXES:
        return True
    try:
        with p.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return any(head.startswith(m) for m in _MAGIC)


def read_image(path: str | Path) -> np.ndarray:
    """The picture as an (H, W, 3) uint8 RGB array, upright.

    Raises
    ------
    InputError
        The file is not a PNG or JPEG image, is damaged, or has more than ``MAX_PIXELS``.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    shown = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit below
            im = Image.open(path)
    except Image.DecompressionBombError:
        raise InputError(f"picture far larger than {MAX_PIXELS // 1_000_000} MP", path=shown,
                         hint="scale the photo down (4000 x 3000 is plenty)") from None
    except UnidentifiedImageError:
        raise InputError("not a PNG or JPEG image", path=shown,
                         hint="give a photo of the hide on the table as .png or .jpg") from None
    try:
        with im:
            if im.format not in ("PNG", "JPEG"):
                raise InputError(f"a {im.format} image, not a PNG or JPEG photo", path=shown,
                                 hint="save the photo of the hide as .png or .jpg")
            if im.width * im.height > MAX_PIXELS:
                raise InputError(f"picture of {im.width} x {im.height} pixels is larger than "
                                 f"{MAX_PIXELS // 1_000_000} MP", path=shown,
                                 hint="scale the photo down (4000 x 3000 is plenty)")
            upright = ImageOps.exif_transpose(im)
            return np.asarray(upright.convert("RGB"))
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data
        raise InputError(f"cannot decode the image ({exc})", path=shown,
                         hint="the file is damaged: copy the photo again from the camera"
                         ) from None


def read_hide_photo(path: str | Path, opts):
    """Read the hide in a photo (``opts``: :class:`~leathernest.capture.capture.CaptureOptions`).

    Returns a :class:`~leathernest.capture.capture.CapturedHide`; every problem is an
    :class:`InputError` naming the file.
    """
    # Lazy: the capture room pulls scikit-image and scipy.
    from leathernest.capture.capture import capture_hide

    rgb = read_image(path)
    try:
        return capture_hide(rgb, opts)
    except InputError as exc:
        if exc.path is None:
            raise InputError(exc.message, path=str(path), location=exc.location,
                             hint=exc.hint) from None
        raise
