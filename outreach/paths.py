"""Where bundled assets live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def assets_dir() -> Path:
    """The bundled `assets/` folder: inside the wheel, or beside the package in a checkout."""
    installed = _PACKAGE_DIR / "_assets"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / "assets"


def fonts_dir() -> Path:
    return assets_dir() / "fonts"


def builtin_themes_dir() -> Path:
    return assets_dir() / "themes"
