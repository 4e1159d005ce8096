"""Karney's series for points along geodesics on the WGS84 ellipsoid.

The constants of each line are computed once (coefficient tables from
GeographicLib, MIT licence, order 6; C. F. F. Karney, "Algorithms for
geodesics", J. Geodesy 87, 2013), and each point then costs a sine, a
cosine, two arctangents and some twenty array operations: see
:mod:`geo.lines` for why and how closely it agrees with ``pyproj.Geod``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pyproj

from geo import settings

FloatArray = npt.NDArray[np.float64]

_GEOD = pyproj.Geod(ellps=settings.ELLPS)
_A = float(_GEOD.a)
_F = float(_GEOD.f)
_F1 = 1.0 - _F
_E2 = _F * (2.0 - _F)
_EP2 = _E2 / _F1**2
_N = _F / (2.0 - _F)
_B = _A * _F1
_TINY = float(np.sqrt(np.finfo(float).tiny))
_DEG = 180.0 / np.pi


# --- Karney's series (GeographicLib, order 6) -----------------------------


def _polyval(coeffs: Sequence[float], x: FloatArray) -> FloatArray:
    """Horner evaluation, highest power first, over an array of ``x``."""
    y = np.full_like(x, coeffs[0])
    for c in coeffs[1:]:
        y = y * x + c
    return y


def _a3x() -> list[float]:
    # Coefficients of A3 as a polynomial in eps, each a polynomial in n.
    coeff = [-3, 128, -2, -3, 64, -1, -3, -1, 16, 3, -1, -2, 8, 1, -1, 2, 1, 1]
    out: list[float] = []
    o = 0
    for j in range(5, -1, -1):
        m = min(6 - j - 1, j)
        out.append(float(_polyval(coeff[o : o + m + 1], np.array(_N))) / coeff[o + m + 1])
        o += m + 2
    return out


def _c3x() -> list[list[float]]:
    # For l = 1..5: coefficients of C3[l] / eps^l as a polynomial in eps.
    coeff = [
        3, 128, 2, 5, 128, -1, 3, 3, 64, -1, 0, 1, 8, -1, 1, 4,
        5, 256, 1, 3, 128, -3, -2, 3, 64, 1, -3, 2, 32,
        7, 512, -10, 9, 384, 5, -9, 5, 192,
        7, 512, -14, 7, 512,
        21, 2560,
    ]  # fmt: skip
    out: list[list[float]] = []
    o = 0
    for ell in range(1, 6):
        row: list[float] = []
        for j in range(5, ell - 1, -1):
            m = min(6 - j - 1, j)
            row.append(float(_polyval(coeff[o : o + m + 1], np.array(_N))) / coeff[o + m + 1])
            o += m + 2
        out.append(row)
    return out


_A3X = _a3x()
_C3X = _c3x()
# C1[l] and C1'[l] / eps^l as polynomials in eps^2 (numerators, denominator).
_C1 = [([-1, 6, -16], 32), ([-9, 64, -128], 2048), ([9, -16], 768), ([3, -5], 512),
       ([-7], 1280), ([-7], 2048)]  # fmt: skip
_C1P = [([205, -432, 768], 1536), ([4005, -4736, 3840], 12288), ([-225, 116], 384),
        ([-7173, 2695], 7680), ([3467], 7680), ([38081], 61440)]  # fmt: skip


def _sin_series(sinx: FloatArray, cosx: FloatArray, c: list[FloatArray]) -> FloatArray:
    """Clenshaw sum of ``c[l-1] * sin(2 l x)`` for l = 1..len(c)."""
    ar = 2.0 * (cosx - sinx) * (cosx + sinx)
    y0 = np.zeros_like(sinx)
    y1 = np.zeros_like(sinx)
    for ck in reversed(c):
        y0, y1 = ar * y0 - y1 + ck, y0
    return 2.0 * sinx * cosx * y0


def _sincosd(deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Sine and cosine of degrees, exact at multiples of 90 (as GeographicLib)."""
    r = np.fmod(deg, 360.0)
    q = np.round(r / 90.0)
    r = np.radians(r - 90.0 * q)
    s, c = np.sin(r), np.cos(r)
    q = np.mod(q, 4.0)
    s, c = (
        np.select([q == 1, q == 2, q == 3], [c, -s, -c], s),
        np.select([q == 1, q == 2, q == 3], [-s, -c, s], c),
    )
    return s, c + 0.0


def _wrap180(x: FloatArray) -> FloatArray:
    return np.mod(x + 180.0, 360.0) - 180.0


class _Lines:
    """Per-line constants of geodesics starting at (lon1, lat1) with azimuth azi1.

    ``sig_at(t)`` gives, for a fraction ``t`` of the arc length ``sig12``,
    the point's (lon, lat) with longitude unrolled from ``lon1``.
    """

    def __init__(
        self, lon1: FloatArray, lat1: FloatArray, azi1: FloatArray, s12: FloatArray
    ) -> None:
        sbet1, cbet1 = _sincosd(lat1)
        sbet1 = sbet1 * _F1
        h = np.hypot(sbet1, cbet1)
        sbet1, cbet1 = sbet1 / h, np.maximum(cbet1 / h, _TINY)  # cbet1 = +eps at poles
        salp1, calp1 = _sincosd(azi1)
        salp0 = salp1 * cbet1
        calp0 = np.hypot(calp1, salp1 * sbet1)
        ssig1 = sbet1
        csig1 = np.where((sbet1 != 0) | (calp1 != 0), cbet1 * calp1, 1.0)
        h = np.hypot(ssig1, csig1)
        ssig1, csig1 = ssig1 / h, csig1 / h
        k2 = calp0**2 * _EP2
        eps = k2 / (2.0 * (1.0 + np.sqrt(1.0 + k2)) + k2)
        eps2 = eps * eps

        # Distance -> arc length on the auxiliary sphere (series C1, C1').
        a1m1 = (_polyval([1, 4, 64, 0, 256][:-1], eps2) / 256.0 + eps) / (1.0 - eps)
        c1 = [np.power(eps, i + 1) * _polyval(p, eps2) / d for i, (p, d) in enumerate(_C1)]
        c1p = [np.power(eps, i + 1) * _polyval(p, eps2) / d for i, (p, d) in enumerate(_C1P)]
        b11 = _sin_series(ssig1, csig1, c1)
        s, c = np.sin(b11), np.cos(b11)
        stau1, ctau1 = ssig1 * c + csig1 * s, csig1 * c - ssig1 * s
        tau12 = s12 / (_B * (1.0 + a1m1))
        s, c = np.sin(tau12), np.cos(tau12)
        b12 = -_sin_series(stau1 * c + ctau1 * s, ctau1 * c - stau1 * s, c1p)
        self.sig12 = tau12 - (b12 - b11)

        # Longitude series C3, pre-multiplied by A3c so a vertex needs one sum.
        # Terms beyond sin(4 sig) are below f * eps^3 ~ 1e-12 rad (< 0.01 mm)
        # for WGS84 and are dropped from the per-vertex work.
        a3c = -_F * salp0 * _polyval(_A3X, eps)
        c3 = [a3c * np.power(eps, i + 1) * _polyval(row, eps) for i, row in enumerate(_C3X[:2])]
        self.sig1 = np.arctan2(ssig1, csig1)
        a = np.abs(salp0)
        e = np.copysign(1.0, salp0)
        # Per-line factors of the per-vertex formulas (see _kernel), with the
        # sign E and the radians-to-degrees factor folded in.
        self.a = a
        self.em1 = e * (a - 1.0)
        self.ap1 = a + 1.0
        self.om = 1.0 - a
        self.ea3c_deg = (e + a3c) * _DEG
        self.c31_deg = c3[0] * _DEG
        self.c32_deg = 2.0 * c3[1] * _DEG
        self.f1salp0_2 = (_F1 * salp0) ** 2
        self.f1calp0 = _F1 * calp0
        self.calp0 = calp0
        # lam(sig) = E (sig + d(sig)) + A3c (sig + B3(sig)) + k, zero at sig1.
        d1 = np.arctan2((a - 1.0) * ssig1 * csig1, csig1 * csig1 + a * ssig1 * ssig1)
        self.lon0 = lon1 - np.degrees(
            e * (self.sig1 + d1) + a3c * self.sig1 + _sin_series(ssig1, csig1, c3)
        )

    def _kernel(
        self, sig: FloatArray, get: Callable[[FloatArray], FloatArray], out: FloatArray
    ) -> None:
        """Write (lon, lat) at arc lengths ``sig`` into ``out`` (shape (n, 2)).

        ``get`` expands a per-line array to one value per vertex.
        """
        s, c = np.sin(sig), np.cos(sig)
        s2 = 2.0 * s * c  # sin 2 sig
        c2 = (c - s) * (c + s)  # cos 2 sig
        # Aux-sphere longitude minus arc length, E (atan2(a s, c) - atan2(s, c)),
        # as one atan2 that never crosses a branch cut: nothing to unroll.
        lam = np.arctan2(get(self.em1) * s2, get(self.ap1) + get(self.om) * c2)
        lam *= _DEG
        lam += get(self.ea3c_deg) * sig
        lam += s2 * (get(self.c31_deg) + get(self.c32_deg) * c2)  # A3c * B3(sig)
        np.add(get(self.lon0), lam, out=out[:, 0])
        # tan(phi) = sin(beta) / (f1 cos(beta)), cos(beta) = hypot(salp0, calp0 cos sig)
        c *= get(self.f1calp0)
        c *= c
        c += get(self.f1salp0_2)
        np.sqrt(c, out=c)
        s *= get(self.calp0)
        np.arctan2(s, c, out=s)
        np.multiply(s, _DEG, out=out[:, 1])

    def vertices(self, nvert: npt.NDArray[np.intp]) -> FloatArray:
        """Vertices of every line at ``nvert`` even steps of arc, (n, 2) array."""
        ends = np.cumsum(nvert)
        k = np.arange(ends[-1], dtype=float)
        k -= np.repeat((ends - nvert).astype(float), nvert)
        dsig = self.sig12 / (nvert - 1)
        sig = np.repeat(self.sig1, nvert)
        sig += k * np.repeat(dsig, nvert)
        out = np.empty((len(k), 2))
        self._kernel(sig, lambda v: np.repeat(v, nvert), out)
        return out

    def points(self, idx: npt.NDArray[np.intp], t: FloatArray) -> FloatArray:
        """(lon, lat) at arc fraction ``t`` of line ``idx``, (n, 2) array."""
        sig = self.sig1[idx] + t * self.sig12[idx]
        out = np.empty((len(sig), 2))
        self._kernel(sig, lambda v: v[idx], out)
        return out
