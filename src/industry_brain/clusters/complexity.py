"""Relatedness and economic complexity over an area × industry matrix.

Input: a long table (area, industry, value): output (or employment, tax, firm count) by area
and GB/T industry. The relational steps are pure Ibis, so they run where the data sits:
- RCA (= location quotient) and presence M = [RCA ≥ threshold] (Balassa; METHODS §4.3);
- proximity φ_ij = Σ_a M_ai M_aj / max(k_i, k_j) between industries from their co-location
  across areas (Hidalgo et al. 2007; METHODS §4.4);
- relatedness density d_ai = Σ_j M_aj φ_ij / Σ_j φ_ij (METHODS §4.4).
ECI/PCI (the 2nd eigenvector of M̃) and COG are linear algebra on the small dense matrix, so
they are computed with numpy (`complexity_indices`): an eigenvector has no relational form, and
the matrix (areas × industries of one district or province) fits in memory many times over.

Conventions follow the reference package py-ecomplexity (Growth Lab), against which the tests
check every number: M uses RCA ≥ 1; proximity includes φ_ii = 1 for an industry present in some
area, and density sums over all j including i itself (so an industry the area lacks adds 1 to
the denominator only); ECI is standardised, PCI is standardised with ECI's mean and standard
deviation (population sd), and the sign makes ECI correlate positively with diversity.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import numpy as np
import polars as pl

RCA_THRESHOLD = 1.0


def rca(matrix: ir.Table, *, threshold: float = RCA_THRESHOLD) -> ir.Table:
    """area, industry, value, rca, m. Rows with value ≤ 0 or null are dropped first (an area
    without the industry); the matrix is completed with zeros so every (area, industry) pair of
    the areas and industries present has a row (rca 0, m 0)."""
    v = matrix.filter(matrix.value.notnull() & (matrix.value > 0)).select(
        "area", "industry", value=matrix.value.cast("float64")
    )
    v = v.group_by("area", "industry").agg(value=lambda t: t.value.sum())
    areas = v.select("area").distinct()
    inds = v.select("industry").distinct()
    full = areas.cross_join(inds)
    full = full.left_join(v, ["area", "industry"]).select(
        "area", "industry", value=ibis.coalesce(v.value, 0.0)
    )
    area_total = full.value.sum().over(group_by="area")
    ind_total = full.value.sum().over(group_by="industry")
    grand = full.value.sum().over()
    r = (full.value / area_total) / (ind_total / grand)
    t = full.mutate(rca=r)
    return t.mutate(m=ibis.ifelse(t.rca >= threshold, 1, 0))


def proximity(m: ir.Table) -> ir.Table:
    """industry_i, industry_j (i ≠ j), together (areas with both), ubiquity_i, ubiquity_j, phi,
    for every ordered pair of industries present in some area (pairs never together: phi 0)."""
    present = m.filter(m.m == 1).select("area", "industry")
    ubiq = present.group_by("industry").agg(ubiquity=lambda t: t.area.nunique())
    a = present.rename(industry_i="industry")
    b = present.rename(industry_j="industry")
    both = a.join(b, "area").filter(lambda t: t.industry_i != t.industry_j)
    together = both.group_by("industry_i", "industry_j").agg(together=lambda t: t.area.nunique())
    ui = ubiq.rename(industry_i="industry", ubiquity_i="ubiquity")
    uj = ubiq.rename(industry_j="industry", ubiquity_j="ubiquity")
    pairs = ui.cross_join(uj).filter(lambda t: t.industry_i != t.industry_j)
    t = pairs.left_join(together, ["industry_i", "industry_j"]).select(
        "industry_i", "industry_j", "ubiquity_i", "ubiquity_j", together=ibis.coalesce(together.together, 0)
    )
    biggest = ibis.greatest(t.ubiquity_i, t.ubiquity_j).cast("float64")
    return t.mutate(phi=t.together.cast("float64") / biggest)


def density(m: ir.Table, phi: ir.Table) -> ir.Table:
    """area, industry, m, related (Σ_j M_aj φ_ij), reach (Σ_j φ_ij), density, each sum
    including j = i with φ_ii = 1 (the package's convention). Industries no area is
    specialised in have no proximities: their density is null."""
    present = m.filter(m.m == 1).select("area", industry_j="industry")
    num = phi.join(present, "industry_j").group_by("area", "industry_i").agg(related=lambda t: t.phi.sum())
    den = phi.group_by("industry_i").agg(reach=lambda t: t.phi.sum())
    ubiq = m.group_by("industry").agg(ubiquity=lambda t: t.m.sum())
    t = m.join(ubiq, "industry")
    t = t.left_join(den, t.industry == den.industry_i).drop("industry_i")
    t = t.left_join(num, (t.area == num.area) & (t.industry == num.industry_i)).select(
        t.area, t.industry, t.value, t.rca, t.m, t.ubiquity, t.reach, related_off=num.related
    )
    has = t.ubiquity > 0
    related = ibis.ifelse(has, t.related_off.fill_null(0.0) + t.m.cast("float64"), ibis.null("float64"))
    reach = ibis.ifelse(has, t.reach.fill_null(0.0) + 1.0, ibis.null("float64"))
    t = t.mutate(related=related, reach=reach).drop("related_off")
    return t.mutate(density=t.related / t.reach)


@dataclass(frozen=True)
class Indices:
    """Per-area and per-industry complexity, aligned with `areas` and `industries` (sorted)."""

    areas: list[str]
    industries: list[str]
    eci: np.ndarray
    pci: np.ndarray
    cog: np.ndarray  # areas × industries, the package's COG (scaled by ECI's sd)
    diversity: np.ndarray
    ubiquity: np.ndarray


def dense(m: pl.DataFrame, phi: pl.DataFrame) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """The presence matrix and the proximity matrix (with φ_ii = 1) as numpy arrays, rows and
    columns in sorted order of area and industry."""
    areas = sorted(m["area"].unique().to_list())
    inds = sorted(m["industry"].unique().to_list())
    ai = {a: i for i, a in enumerate(areas)}
    ii = {c: i for i, c in enumerate(inds)}
    mat = np.zeros((len(areas), len(inds)))
    for a, c, v in m.select("area", "industry", "m").iter_rows():
        mat[ai[a], ii[c]] = v
    prox = np.eye(len(inds))
    for i, j, p in phi.select("industry_i", "industry_j", "phi").iter_rows():
        prox[ii[i], ii[j]] = p
    return areas, inds, mat, prox


def complexity_indices(m: pl.DataFrame, phi: pl.DataFrame) -> Indices:
    """ECI, PCI and COG by the eigenvector method (Hausmann, Hidalgo et al. 2011), as
    py-ecomplexity computes them: kp = 2nd eigenvector of M̂ = (M/k_a)ᵀ(M/k_i), kc = (M/k_a)·kp,
    the sign set so ECI correlates positively with diversity, then standardised. Needs at
    least 3 areas and 3 industries; otherwise ECI and PCI are NaN."""
    areas, inds, mat, prox = dense(m, phi)
    div, ubi = mat.sum(axis=1), mat.sum(axis=0)
    nan_a, nan_i = np.full(len(areas), np.nan), np.full(len(inds), np.nan)
    if min(mat.shape) < 3 or (div == 0).any() or (ubi == 0).any():
        return Indices(areas, inds, nan_a, nan_i, np.full(mat.shape, np.nan), div, ubi)
    m1 = mat / div[:, None]
    m2 = mat / ubi[None, :]
    mpp = m2.T @ m1
    vals, vecs = np.linalg.eig(mpp)
    kp = np.real(vecs[:, np.argsort(np.real(vals))[-2]])
    kc = m1 @ kp
    sign = np.sign(np.corrcoef(div, kc)[0, 1]) or 1.0
    eci_raw, pci_raw = sign * kc, sign * kp
    # COG uses the raw PCI, then is scaled by ECI's sd, exactly as the package does.
    cog = (1 - mat) * ((1 - mat) @ (prox * (pci_raw / prox.sum(axis=1))[:, None]))
    mean, sd = eci_raw.mean(), eci_raw.std()
    return Indices(areas, inds, (eci_raw - mean) / sd, (pci_raw - mean) / sd, cog / sd, div, ubi)
