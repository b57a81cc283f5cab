import matplotlib.pyplot as plt

from helpers.core.fmt import SYNTHETIC_LABEL
from helpers.report import strategi as sections_strategi
from helpers.stats import strategi


def test_strategi_section_for_falun(tmp_root):
    sec = sections_strategi.strategi_section("2080", "demo")
    assert sec.kommun_name == "Falun"
    # one display row per goal KPI (totalt) – all 22 goals are listed
    assert set(sec.status["goal"]) == set(range(1, 23))
    assert {"Mål", "Indikator"} <= set(sec.table.columns)
    assert sec.sentences and all("Falun" in s for s in sec.sentences)
    assert all(".0)" not in s for s in sec.sentences)  # years printed as integers
    texts = [t.get_text() for t in sec.figure.findobj(match=lambda a: hasattr(a, "get_text"))]
    assert any(SYNTHETIC_LABEL in t for t in texts)
    plt.close(sec.figure)
    # the status is exactly what strategi.goal_status says for the kommun
    goals, table, _groups, _ranks = sections_strategi._prepared("demo")
    direct = strategi.goal_status(table, goals, "2080")
    assert direct["status"].tolist() == sec.status["status"].tolist()


def test_without_figure_is_lighter(tmp_root):
    sec = sections_strategi.strategi_section("2085", "demo", with_figure=False, top=3)
    assert sec.figure is None
    assert len(sec.sentences) <= 3
