"""The statistics report: month ranges, sums, rates against targets, suppression, the workload median."""

from __future__ import annotations

import pytest

from functions.core.domain import stats_report as report
from functions.core.domain.procedures import catalog
from functions.core.domain.stats import COUNTERS
from functions.core.errors import ValidationFailed

NOW = "2026-11"


def fields_of(args: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        report.month_range(args, NOW)
    return caught.value.details["fields"]


def sums(**counts: int) -> dict[str, int]:
    return report.total([counts])


def test_no_months_given_means_the_last_twelve_up_to_the_current_month():
    span = report.month_range({}, NOW)
    assert (span.first, span.last) == ("2025-12", "2026-11")
    assert len(span.months) == 12 and span.months[0] == "2025-12" and span.months[-1] == "2026-11"


def test_one_month_is_a_range_of_one():
    assert report.month_range({"month": "2026-02"}, NOW).months == ["2026-02"]


def test_from_alone_runs_to_the_current_month_and_to_alone_covers_twelve_months():
    assert report.month_range({"from": "2026-09"}, NOW).months == ["2026-09", "2026-10", "2026-11"]
    span = report.month_range({"to": "2026-03"}, NOW)
    assert (span.first, span.last) == ("2025-04", "2026-03")


def test_the_default_range_never_starts_before_year_zero():
    assert report.month_range({"to": "0000-02"}, NOW).months == ["0000-01", "0000-02"]


def test_a_range_crosses_the_year_boundary():
    assert report.month_range({"from": "2025-11", "to": "2026-02"}, NOW).months == [
        "2025-11", "2025-12", "2026-01", "2026-02"]


def test_twenty_four_months_are_allowed_and_twenty_five_are_not():
    assert len(report.month_range({"from": "2024-12", "to": "2026-11"}, NOW).months) == 24
    assert fields_of({"from": "2024-11", "to": "2026-11"}) == {"from": "range_too_long"}


@pytest.mark.parametrize("bad", ["2026-13", "2026-00", "26-01", "2026-1", "2026/01", "", "2026-01-01", "abcd-ef"])
def test_a_month_that_is_not_yyyy_mm_is_bad_format(bad):
    assert fields_of({"month": bad}) == {"month": "bad_format"}
    assert fields_of({"from": bad, "to": "2026-01"}) == {"from": "bad_format"}


def test_a_future_month_is_refused_and_the_current_one_is_not():
    assert fields_of({"month": "2026-12"}) == {"month": "in_future"}
    assert fields_of({"to": "2027-01"}) == {"to": "in_future"}
    assert report.month_range({"month": NOW}, NOW).months == [NOW]


def test_a_reversed_range_and_a_month_with_a_range_are_refused():
    assert fields_of({"from": "2026-05", "to": "2026-04"}) == {"from": "range_reversed"}
    assert fields_of({"month": "2026-05", "from": "2026-04"}) == {"month": "not_with_range"}


def test_total_sums_every_counter_and_a_missing_one_is_zero():
    total = report.total([{"received_online": 2, "late": 1}, {"received_online": 3, "rating_5": 4}, {}])
    assert set(total) == set(COUNTERS)
    assert (total["received_online"], total["late"], total["rating_5"], total["decided"]) == (5, 1, 4, 0)


def test_by_month_keeps_every_month_of_the_range_and_ignores_others():
    grouped = report.by_month([{"month": "2026-10", "decided": 2}, {"month": "2020-01", "decided": 9}],
                              ["2026-10", "2026-11"])
    assert grouped["2026-10"]["decided"] == 2 and grouped["2026-11"]["decided"] == 0 and len(grouped) == 2


def test_counts_stay_exact_for_one_commune_and_one_month_even_under_five():
    figures = report.figures(sums(received_online=1, received_counter=1, paid_counter=1, rating_1=1, late=1))
    assert figures["received"] == 2 and figures["paid_at_counter"] == 1 and figures["late"] == 1
    assert figures["ratings"] == {"1": 1, "2": 0, "3": 0, "4": 0, "5": 0}
    assert figures["received_by_channel"] == {"online": 1, "assisted": 0, "counter": 1}


def test_a_rate_under_five_cases_is_shown_as_under_five_never_as_a_number():
    rates = report.rates(sums(rating_5=4, paid_online=2, paid_counter=2, received_online=4, on_time=4))
    for name in ("satisfied", "paid_online", "fully_online", "on_time", "average_decision_days"):
        assert rates[name]["value"] == "<5", name
        assert rates[name]["met"] is None


def test_satisfied_is_the_share_of_levels_four_and_five():
    rates = report.rates(sums(rating_1=1, rating_3=1, rating_4=3, rating_5=5))
    assert rates["satisfied"]["value"] == 0.8 and rates["satisfied"]["denominator"] == 10
    assert rates["satisfied"]["met"] is False  # the target is more than 90%


def test_satisfied_at_exactly_ninety_percent_does_not_meet_more_than_ninety():
    assert report.rates(sums(rating_5=9, rating_2=1))["satisfied"]["met"] is False
    assert report.rates(sums(rating_5=19, rating_2=1))["satisfied"]["met"] is True


def test_paid_online_is_online_over_all_payments_and_thirty_percent_meets_it():
    rates = report.rates(sums(paid_online=3, paid_counter=7))
    assert rates["paid_online"]["value"] == 0.3 and rates["paid_online"]["met"] is True
    assert report.rates(sums(paid_online=2, paid_counter=8))["paid_online"]["met"] is False


def test_fully_online_counts_every_channel_in_the_denominator():
    rates = report.rates(sums(received_online=8, received_assisted=1, received_counter=1))
    assert rates["fully_online"]["value"] == 0.8 and rates["fully_online"]["denominator"] == 10
    assert rates["fully_online"]["met"] is False
    assert report.rates(sums(received_online=5))["fully_online"]["met"] is True


def test_on_time_is_on_time_over_decided_by_the_due_date():
    rates = report.rates(sums(on_time=9, late=1))
    assert rates["on_time"]["value"] == 0.9 and rates["on_time"]["met"] is False
    assert report.rates(sums(on_time=6))["on_time"]["met"] is True


def test_average_decision_days_is_the_sum_over_decided_with_no_target():
    rates = report.rates(sums(decided=6, decision_working_days=20))
    assert rates["average_decision_days"]["value"] == 3.3
    assert rates["average_decision_days"]["target"] is None and rates["average_decision_days"]["met"] is None


def test_every_rate_carries_its_definition_and_target():
    rates = report.rates(sums(), (2, 3))
    assert set(rates) == set(report.TARGETS)
    assert all(rate["definition"] for rate in rates.values())
    assert rates["paid_online"]["target"] == 0.3 and rates["satisfied"]["comparison"] == ">"


def test_fee_procedures_online_comes_from_the_catalog_and_is_never_suppressed():
    online, fee_bearing = report.fee_procedures_online(catalog().values())
    assert fee_bearing == 3 and online == 3  # every shipped procedure has a fee and is paid through the pay function
    rate = report.rates(sums(), (online, fee_bearing))["fee_procedures_online"]
    assert rate["value"] == 1.0 and rate["met"] is True


def test_fee_procedures_online_without_fee_bearing_procedures_has_no_value():
    rate = report.rates(sums(), (0, 0))["fee_procedures_online"]
    assert rate["value"] is None and rate["met"] is None


def test_a_procedure_marked_not_payable_online_or_without_a_fee_is_counted_so():
    class Fake:
        def __init__(self, fee: int, online: bool = True, rules: list | None = None) -> None:
            self.raw = {"fee": {"vnd": fee, "rules": rules or []}, "online_payment": online}

    assert report.fee_procedures_online([Fake(0), Fake(3000), Fake(2000, online=False),
                                         Fake(0, rules=[{"vnd": 5000}])]) == (2, 3)


def test_series_gives_counts_and_suppressed_rates_per_month():
    cells = [{"month": "2026-10", "received_online": 6, "on_time": 5, "late": 1, "paid_online": 1}]
    months = report.series(cells, ["2026-10", "2026-11"])
    assert [m["month"] for m in months] == ["2026-10", "2026-11"]
    assert months[0]["received"] == 6 and months[0]["on_time_rate"] == 0.8333
    assert months[0]["paid_online_rate"] == "<5" and months[1]["received"] == 0


@pytest.mark.parametrize(("histogram", "median"), [
    ({}, None),
    ({"step_days_0": 1}, "0"),
    ({"step_days_0": 1, "step_days_1": 1}, "0"),
    ({"step_days_0": 1, "step_days_4_5": 2}, "4-5"),
    ({"step_days_1": 2, "step_days_11_plus": 3}, "11+"),
    ({"step_days_2": 5, "step_days_6_10": 4}, "2"),
    ({"step_days_3": 1, "step_days_6_10": 1, "step_days_11_plus": 1}, "6-10"),
])
def test_the_median_step_comes_from_the_histogram_as_a_bucket_label(histogram, median):
    assert report.median_bucket(histogram) == median


def test_bucket_labels_and_shifting_months():
    assert [report.bucket_label(b) for b in ("0", "3", "4_5", "11_plus")] == ["0", "3", "4-5", "11+"]
    assert report.shift("2026-01", -1) == "2025-12" and report.shift("2025-12", 13) == "2027-01"
    assert report.shift("0000-03", -11) == "0000-01"
    with pytest.raises(KeyError):
        report.bucket_label("nope")


def test_processing_times_show_the_online_period_only_where_declared():
    from functions.core.domain.procedures import catalog

    times = {row["procedure_id"]: row for row in report.processing_times(catalog().values())}
    assert (times["marital-status-certificate"]["working_days"],
            times["marital-status-certificate"]["online_working_days"]) == (3, 2)
    assert times["certified-copy"]["online_working_days"] is None
    assert times["certified-copy"]["name"]["vi"]
