"""The per-table cache of the Strategi statistics: same numbers, computed once per table."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from helpers.report import strategi as report_strategi
from helpers.stats import strategi, strategi_compare


def test_per_table_computes_once_per_object_and_forgets_dead_tables():
    calls = []
    table = pd.DataFrame({"value": [1.0, 2.0]})

    def make():
        calls.append(1)
        return float(table["value"].sum())

    assert strategi.per_table(table, "sum", make) == 3.0
    assert strategi.per_table(table, "sum", make) == 3.0
    assert len(calls) == 1
    other = table.copy()  # equal content, another object: computed again
    assert strategi.per_table(other, "sum", lambda t=other: float(t["value"].sum())) == 3.0
    assert strategi.per_table(table, "sum", make, "other key") == 3.0
    assert len(calls) == 2
    del other
    gc.collect()
    strategi.per_table(table, "sum2", make)  # an insert purges entries of dead tables
    assert all(ref() is not None for ref, _ in strategi._DERIVED.values())


@pytest.fixture(scope="module")
def demo():
    goals, table, groups, _ = report_strategi.prepared("demo")
    return goals, table, groups


@pytest.mark.parametrize("kommun", ["2085", "0114", "2584"])
def test_comparisons_and_status_are_the_same_with_and_without_the_cache(demo, kommun):
    goals, table, groups = demo
    strategi_compare.comparisons(table, goals, "2080", groups)  # fills the cache
    strategi.goal_status(table, goals, "2080")
    cached_cmp = strategi_compare.comparisons(table, goals, kommun, groups)
    cached_status = strategi.goal_status(table, goals, kommun)
    fresh = table.copy()  # a new object: nothing cached for it
    fresh.attrs = dict(table.attrs)
    pd.testing.assert_frame_equal(
        cached_cmp, strategi_compare.comparisons(fresh, goals, kommun, groups)
    )
    pd.testing.assert_frame_equal(cached_status, strategi.goal_status(fresh, goals, kommun))
    # and against the lookup restricted to the kommun's own areas, as before the cache
    own = strategi._Series(table, {kommun, "0020", "0000"})
    full = strategi.series_of(table)
    for kpi in sorted(full.indicators)[:10]:
        for sex in ("totalt", "kvinnor", "män"):
            pd.testing.assert_frame_equal(own.get(kpi, kommun, sex), full.get(kpi, kommun, sex))
