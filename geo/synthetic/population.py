"""The synthetic population raster: people per 100 m pixel, fitted to plausible commune totals."""

from __future__ import annotations

import numpy as np
import shapely
from affine import Affine
from numpy.random import Generator
from rasterio import features
from rasterio.transform import from_origin

from geo.synthetic.landscape import Land, bell, remoteness

PIXEL_M = 100.0

_PEOPLE = (800.0, 40_000.0)


def draw_population(
    rng: Generator, land: Land, cells: np.ndarray, empty: np.ndarray
) -> tuple[np.ndarray, Affine, np.ndarray]:
    """People per 100 m pixel over the communes' box (EPSG:32648), transform, commune totals.

    Pixels outside every cell and in the ``empty`` communes hold 0 people.
    """
    box = (shapely.total_bounds(cells) + np.array([-1e3, -1e3, 1e3, 1e3])) / PIXEL_M
    west, south, east, north = np.r_[np.floor(box[:2]), np.ceil(box[2:])] * PIXEL_M
    transform = from_origin(west, north, PIXEL_M, PIXEL_M)
    shape = (round((north - south) / PIXEL_M), round((east - west) / PIXEL_M))
    numbered = zip(cells, range(1, len(cells) + 1), strict=True)
    ids = features.rasterize(
        numbered, shape, fill=0, transform=transform, all_touched=False, dtype="int32"
    )
    density = _density(rng, land, transform, shape)
    people = _fit_totals(rng, density, ids, empty).astype(np.float32)
    if empty.any():  # nobody within 400 m of an empty commune either: outlines will wobble
        shapes = ((cell, 1) for cell in shapely.buffer(cells[empty], 400.0))
        people[features.rasterize(shapes, shape, transform=transform, dtype="uint8") == 1] = 0
    totals = np.bincount(ids.ravel(), weights=people.ravel(), minlength=len(cells) + 1)[1:]
    return people, transform, totals


def _density(rng: Generator, land: Land, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
    """Unfitted people per pixel: rural base, gaussian town and city peaks, ribbon along roads."""
    xs = transform.c + (np.arange(shape[1]) + 0.5) * PIXEL_M
    ys = transform.f - (np.arange(shape[0]) + 0.5) * PIXEL_M
    density = 0.9 * (1 - 0.7 * remoteness(xs[None, :], ys[:, None])) * rng.lognormal(0, 0.4, shape)
    for i, (tx, ty) in enumerate(land.towns):
        peak, sigma = (60.0, 2500.0) if i == 0 else (rng.uniform(10.0, 25.0), 1200.0)
        density += peak * np.outer(bell(ys, ty, sigma), bell(xs, tx, sigma))
    lines = ((road, 1) for road in land.roads)
    roads = features.rasterize(lines, shape, transform=transform, all_touched=True, dtype="uint8")
    return density + 2.0 * _blur(roads.astype(float), 3.0)


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable gaussian blur with ``sigma`` in pixels, zero beyond the edges."""
    half = int(3 * sigma)
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (half, half)
        windows = np.lib.stride_tricks.sliding_window_view(np.pad(image, pad), kernel.size, axis)
        image = windows @ kernel
    return image


def _fit_totals(
    rng: Generator, density: np.ndarray, ids: np.ndarray, empty: np.ndarray
) -> np.ndarray:
    """Rescale each commune's pixels to 800-40,000 people (~5,000 each); ``empty`` get 0."""
    raw = np.bincount(ids.ravel(), weights=density.ravel(), minlength=len(empty) + 1)[1:]
    if (raw <= 0).any():
        raise RuntimeError(f"{int((raw <= 0).sum())} synthetic communes hold no pixel centre")
    target, low, high = rng.uniform(4500.0, 6000.0) * (~empty).sum(), -10.0, 10.0
    for _ in range(60):  # bisection on the log of one province-wide scale
        mid = (low + high) / 2
        too_few = np.clip(np.exp(mid) * raw, *_PEOPLE)[~empty].sum() < target
        low, high = (mid, high) if too_few else (low, mid)
    factor = np.r_[0.0, np.where(empty, 0.0, np.clip(np.exp(high) * raw, *_PEOPLE) / raw)]
    return density * factor[ids]
