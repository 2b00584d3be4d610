"""Vietnam's administrative units after the 2025 reform (34 provinces, 3,321 communes).

The data comes from the `vietnam-provinces` package. Codes are the national statistics codes as
zero-padded strings: provinces have 2 digits ("33"), communes 5 digits ("13075").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Province:
    """A province-level unit ("tỉnh" or "thành phố trung ương")."""

    code: str
    name: str


@dataclass(frozen=True)
class Commune:
    """A commune-level unit ("xã", "phường" or "đặc khu") and the province it belongs to."""

    code: str
    name: str
    province_code: str


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, Province], dict[str, Commune]]:
    import vietnam_provinces as vp  # imported lazily: only profile and commune checks need it

    provinces = {
        f"{p.code.value:02d}": Province(f"{p.code.value:02d}", p.name) for p in vp.Province.iter_all()
    }
    communes = {
        f"{w.code.value:05d}": Commune(f"{w.code.value:05d}", w.name, f"{w.province_code.value:02d}")
        for w in vp.Ward.iter_all()
    }
    return provinces, communes


def data_version() -> str:
    """The version of the administrative-units data, shown in the PWA's data file."""
    import vietnam_provinces as vp

    return str(vp.__data_version__)


def provinces() -> list[Province]:
    """Every province, by code."""
    return sorted(_data()[0].values(), key=lambda p: p.code)


def communes() -> list[Commune]:
    """Every commune, by code."""
    return sorted(_data()[1].values(), key=lambda c: c.code)


def province(code: str) -> Province | None:
    """The province with this code, or None."""
    return _data()[0].get(code) if isinstance(code, str) else None


def commune(code: str) -> Commune | None:
    """The commune with this code, or None."""
    return _data()[1].get(code) if isinstance(code, str) else None


def compact_payload() -> dict[str, object]:
    """The small JSON the PWA's offline commune picker loads: code/name pairs, communes by province."""
    return {
        "version": data_version(),
        "provinces": [[p.code, p.name] for p in provinces()],
        "communes": [[c.code, c.name, c.province_code] for c in communes()],
    }
