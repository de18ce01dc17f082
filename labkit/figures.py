"""Saving a lab's figures as PNG files."""

from pathlib import Path

DPI = 100


def save_pngs(folder, plots):
    """Draw each figure and write it as `<name>.png` into `folder` (created if missing).

    Args:
    - folder: a path.
    - plots: a dict, file name (no suffix) -> a function of no arguments
      returning a matplotlib Figure; each is called only when its turn comes.

    Returns:
    - the paths written, a list of pathlib.Path, in the order of `plots`.
    """
    if not isinstance(plots, dict) or not all(callable(plot) for plot in plots.values()):
        raise ValueError(f"plots must be a dict of file name -> function returning a Figure, got {plots!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, plot in plots.items():
        paths.append(folder / f"{name}.png")
        plot().savefig(paths[-1], dpi=DPI)
    return paths
