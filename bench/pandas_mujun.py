"""A plain-pandas implementation of the 亩均 evaluation, written from the text of issue 3 alone,
as an independent second reading of the method (tests/test_evaluation_crosscheck.py compares it
with the Ibis engine) and as the baseline of bench/bench_evaluate.py.

    evaluate_pandas(facts, method, year) -> one row per enterprise of `year`

Output columns: credit_code, name, pool, grade, score, rank, the indicator values, the item scores
(score_<indicator>), imputed, vetoes, reason — indicators in catalogue order (`Method.indicators`).

Readings of the text where it leaves a choice (each noted where it is made):
- a not-evaluated enterprise with several reasons gets the first in the text's order
  (utility, new, no_tax, no_land);
- an unknown above_scale flag counts as not above scale (the pool rules test above_scale = 1);
- an unknown industry code or establishment date is not a reason on its own;
- indicators outside a member's set, and every figure of a not-evaluated enterprise, are empty;
- an item left 0 because no pool member has it defined is still listed in `imputed`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from industry_brain.evaluation.method import INDICATORS, Method

NOT_EVALUATED = "not_evaluated"
POOLS = (NOT_EVALUATED, "above_scale", "below_scale_3mu_plus", "below_scale_under_3mu", "tenant")
REASONS = ("utility", "new", "no_tax", "no_land")
VETO_ORDER = ("safety_accident", "env_violation", "low_efficiency")


def _num(frame: pd.DataFrame, col: str) -> pd.Series:
    return pd.to_numeric(frame[col], errors="coerce").astype("float64")


def evaluate_pandas(facts: pd.DataFrame, method: Method, year: int) -> pd.DataFrame:
    names = method.indicators()
    f = facts[_num(facts, "year") == year].reset_index(drop=True)
    n = len(f)

    land_mu = _num(f, "land_mu")
    rented = _num(f, "rented_mu")
    tax = _num(f, "tax_wan")
    above_flag = (_num(f, "above_scale") == 1).to_numpy()
    own_land = (land_mu > 0).to_numpy()  # False when unknown
    has_rented = (rented > 0).to_numpy()

    # --- pools ------------------------------------------------------------------------------
    code = f["industry_code"].astype("string")
    utility = code.str.slice(0, 2).isin(list(method.utility_divisions)).fillna(False).to_numpy(bool)
    # "established after 31 December of year−2": a later ISO date string sorts after it.
    cutoff = f"{year - method.new_enterprise_years}-12-31"
    est = f["established"].astype("string").str.slice(0, 10)
    new = (est > cutoff).fillna(False).to_numpy(bool)
    no_tax = tax.isna().to_numpy()
    no_land = ~own_land & ~has_rented
    # labels are kept as integer codes (categoricals at the end): -1 = no reason
    reason_code = np.select([utility, new, no_tax, no_land], [0, 1, 2, 3], default=-1)
    evaluated = reason_code < 0
    tenant = ~own_land & has_rented
    split = method.below_scale_split_mu
    pool_code = np.select(
        [~evaluated, tenant, above_flag, (land_mu >= split).to_numpy()], [0, 4, 1, 2], default=3
    )
    # the indicator set is the enterprise's own scale, also inside the tenant pool
    iset = np.where(above_flag, "above_scale", "below_scale")
    # "land" is own land, or rented land for tenants
    land = np.where(tenant, rented.to_numpy(), land_mu.to_numpy())
    division = code.str.slice(0, 2).fillna("").to_numpy()

    columns = {
        "tax_wan": tax.to_numpy(),
        "land": land,
        **{
            c: _num(f, c).to_numpy()
            for c in {num for num, _ in INDICATORS.values()}
            | {den for _, den in INDICATORS.values() if den != "land"}
        },
    }

    values = {name: np.full(n, np.nan) for name in names}
    scores = {name: np.full(n, np.nan) for name in names}
    imputed_flags = {name: np.zeros(n, bool) for name in names}
    total = np.zeros(n)

    # group keys as integers: pool and set (and division when a benchmark asks for it)
    div_code, div_names = pd.factorize(division)
    group = pd.Series(pool_code * 2 + above_flag.astype(np.int64))
    group_div = group * (len(div_names) + 1) + div_code

    for set_name, items in method.sets.items():
        member = evaluated & (iset == set_name)
        if not member.any():
            continue
        for item in items:
            num_col, den_col = INDICATORS[item.indicator]
            num, den = columns[num_col], columns[den_col]
            defined = member & ~np.isnan(num) & ~np.isnan(den) & (den > 0)
            value = np.full(n, np.nan)
            np.divide(num, den, out=value, where=defined)
            keys = group_div if item.benchmark.by_division else group
            bench = _benchmark(item, value, num, den, defined, member, keys)
            valid = member & ~np.isnan(bench) & (bench > 0)
            score = np.where(member, 0.0, np.nan)  # a non-positive benchmark: 0
            np.divide(value, bench, out=score, where=valid & defined)
            score = np.where(valid & defined, score * item.weight, score)
            if item.cap is not None:
                score = np.where(defined, np.minimum(score, item.cap), score)
            missing = member & ~defined
            if missing.any():
                if method.imputation == "pool_mean":
                    s = pd.Series(np.where(defined, score, np.nan))
                    mean = s.groupby(group.to_numpy()).transform("mean").fillna(0.0).to_numpy()
                else:
                    mean = np.zeros(n)
                score = np.where(missing, mean, score)
            values[item.indicator] = np.where(member, value, values[item.indicator])
            scores[item.indicator] = np.where(member, score, scores[item.indicator])
            imputed_flags[item.indicator] |= missing
            total = total + np.where(member, score, 0.0)

    total = np.where(evaluated, total, np.nan)

    # --- grades and ranks -------------------------------------------------------------------
    s_total = pd.Series(total)
    higher = (s_total.groupby(pool_code).rank(method="min", ascending=False) - 1).to_numpy()
    size = s_total.groupby(pool_code).transform("size").to_numpy().astype(float)
    p = higher / size
    grade = np.full(n, 4)  # A B C D T = 0 1 2 3 4
    for code_, pool_name in enumerate(POOLS):
        m = pool_code == code_
        if code_ == 0 or not m.any():
            continue
        t = method.thresholds(pool_name)
        grade[m] = np.select([p[m] < t.A, p[m] < t.B, p[m] < t.C], [0, 1, 2], default=3)

    # --- vetoes -----------------------------------------------------------------------------
    vetoes_hit = {}
    if method.vetoes.get("safety_accident"):
        vetoes_hit["safety_accident"] = evaluated & (_num(f, "safety_accident") == 1).to_numpy()
    if method.vetoes.get("env_violation"):
        vetoes_hit["env_violation"] = evaluated & (_num(f, "env_violation") == 1).to_numpy()
    le = method.vetoes.get("low_efficiency")
    if le:
        with np.errstate(divide="ignore", invalid="ignore"):
            own_tax_per_mu = tax.to_numpy() / land_mu.to_numpy()
        vetoes_hit["low_efficiency"] = (
            evaluated
            & ~tenant
            & (land_mu >= le["min_land_mu"]).to_numpy()
            & (own_tax_per_mu < le["max_tax_per_mu"])
        )
    vetoes = _joined(VETO_ORDER, [vetoes_hit.get(v, np.zeros(n, bool)) for v in VETO_ORDER])
    grade[vetoes.codes > 0] = 3
    imputed = _joined(names, [imputed_flags[name] for name in names])

    out = pd.DataFrame(
        {
            "credit_code": f["credit_code"].to_numpy(),
            "name": f["name"].to_numpy(),
            "pool": pd.Categorical.from_codes(pool_code, categories=POOLS),
            "grade": pd.Categorical.from_codes(grade, categories=["A", "B", "C", "D", "T"]),
            "score": total,
            "rank": pd.array(np.where(evaluated, higher + 1, np.nan), dtype="Int64"),
            **{name: values[name] for name in names},
            **{f"score_{name}": scores[name] for name in names},
            "imputed": imputed,
            "vetoes": vetoes,
            "reason": pd.Categorical.from_codes(reason_code, categories=REASONS),
        }
    )
    return out


def _joined(labels, flags: list[np.ndarray]) -> pd.Categorical:
    """'a,b' for the labels whose flag is set, '' for none: a bit code per row, one string per
    combination."""
    code = np.zeros(len(flags[0]) if flags else 0, np.int64)
    for bit, flag in enumerate(flags):
        code |= flag.astype(np.int64) << bit
    texts = [
        ",".join(lab for bit, lab in enumerate(labels) if combo >> bit & 1)
        for combo in range(1 << len(labels))
    ]
    return pd.Categorical.from_codes(code, categories=texts)


def _benchmark(item, value, num, den, defined, member, keys: pd.Series) -> np.ndarray:
    """The benchmark of `item` for every row (NaN outside the set's members)."""
    rule = item.benchmark.rule
    if rule == "constant":
        b = np.full(len(value), float(item.benchmark.value))
    elif rule == "pool_aggregate":
        # Σ numerator ÷ Σ denominator over the members whose indicator is defined
        k = keys.to_numpy()
        sn = pd.Series(np.where(defined, num, 0.0)).groupby(k).transform("sum").to_numpy()
        sd = pd.Series(np.where(defined, den, 0.0)).groupby(k).transform("sum").to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(sd > 0, sn / sd, np.nan)
    elif rule == "pool_mean":
        b = pd.Series(np.where(defined, value, np.nan)).groupby(keys.to_numpy()).transform("mean").to_numpy()
    else:
        raise ValueError(f"unknown benchmark rule {rule}")
    return np.where(member, b * item.benchmark.multiple, np.nan)


# --- the whole job: read, validate, evaluate, write (bench/bench_evaluate_cli.py's baseline) ---

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: the digits and letters but I O S V Z


def validate_pandas(facts: pd.DataFrame, classes: set[str]) -> str | None:
    """The first problem of a facts frame, as text, or None: the checks of
    docs/evaluation-methods.md written with pandas and numpy, a second reading of the rules
    (codes of 18 symbols with their check character, 4-digit classes, ISO dates, 0/1 flags,
    no negative land, energy, emissions, staff or power, one row per code and year)."""
    code = facts["credit_code"].astype("string")
    if code.isna().any():
        return f"row {int(code.isna().to_numpy().argmax())}: no credit code"
    ok = (code.str.len() == 18).to_numpy()
    raw = np.frombuffer("".join(code[ok].tolist()).encode("ascii", "replace"), np.uint8).reshape(-1, 18)
    lut = np.full(256, -1, np.int64)
    lut[np.frombuffer(_ALPHABET.encode(), np.uint8)] = np.arange(31)
    value = lut[raw]
    weights = np.array([pow(3, i, 31) for i in range(17)])
    check = (31 - (value[:, :17] * weights).sum(axis=1) % 31) % 31
    good = (value >= 0).all(axis=1) & (value[:, 17] == check)
    ok[np.flatnonzero(ok)[~good]] = False
    if not ok.all():
        return f"row {int((~ok).argmax())}: bad credit code"
    if not facts["industry_code"].astype("string").isin(classes).all():
        return "an industry code that is not a class"
    est = facts["established"].dropna().astype("string")
    if pd.to_datetime(est, format="%Y-%m-%d", errors="coerce").isna().any():
        return "an establishment date that is not a date"
    for flag in ("above_scale", "safety_accident", "env_violation"):
        if not facts[flag].dropna().isin([0, 1]).all():
            return f"{flag} not 0 or 1"
    for col in ("land_mu", "rented_mu", "energy_tce", "emission_t", "employees", "electricity_wan_kwh"):
        if (facts[col] < 0).any():
            return f"{col} negative"
    if facts.duplicated(["credit_code", "year"]).any():
        return "a code twice in a year"
    return None


def main(argv: list[str] | None = None) -> int:
    """python bench/pandas_mujun.py FACTS.parquet YEAR RESULTS.parquet [METHOD]: the job end to
    end with pandas, printing each phase's seconds as JSON."""
    import json
    import sys
    import time

    from industry_brain.evaluation.method import load_method
    from industry_brain.reference.industries import class_codes

    src, year, dst, *rest = argv if argv is not None else sys.argv[1:]
    method = load_method(rest[0] if rest else "huangyan-2022")
    t0 = time.perf_counter()
    facts = pd.read_parquet(src)
    t1 = time.perf_counter()
    problem = validate_pandas(facts, set(class_codes()))
    if problem:
        print(problem, file=sys.stderr)
        return 1
    t2 = time.perf_counter()
    out = evaluate_pandas(facts, method, int(year))
    t3 = time.perf_counter()
    out.to_parquet(dst, index=False)
    t4 = time.perf_counter()
    print(json.dumps({"read": t1 - t0, "validate": t2 - t1, "evaluate": t3 - t2, "write": t4 - t3}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
