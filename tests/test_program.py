"""The SECOR rules applied: courses, the supervisor ratio, eligibility and the cycle."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from manualgen.inputs import program as P
from manualgen.inputs.profile import Profile, Secor, Training

from conftest import MINIMAL_PROFILE

D = dt.date


@pytest.fixture(scope="module")
def rules() -> P.ProgramRules:
    return P.load_rules()


def records(*items) -> list[Training]:
    return [Training.model_validate(i) for i in items]


def profile_with(people: list[dict], **company) -> Profile:
    data = copy.deepcopy(MINIMAL_PROFILE)
    data["people"] = people
    data["company"].update(company)
    return Profile.model_validate(data)


def person(name, roles, employment="full_time", training=()):
    return {"name": name, "position": "x", "roles": roles, "employment": employment,
            "training": list(training)}


# ------------------------------------------------------------------ helpers


def test_add_months_clamps_to_month_end():
    assert P.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert P.add_months(D(2024, 2, 29), 48) == D(2028, 2, 29)
    assert P.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert P.add_months(D(2026, 2, 28), -12) == D(2025, 2, 28)


def test_every_required_course_and_the_supervisor_course_are_known(rules):
    assert set(rules.required_courses) <= set(rules.courses)
    assert rules.supervisor_course in rules.courses


# ------------------------------------------------------------------ one course


def test_a_course_that_never_expires_is_valid(rules):
    s = P.course_status(records({"course": "PHSM", "completed": "2001-05-01"}), "PHSM", rules,
                        D(2026, 1, 1))
    assert (s.status, s.expires, s.days_left, s.completed) == ("valid", None, None, D(2001, 5, 1))


def test_lse_through_validity_grace_and_expiry(rules):
    lse = rules.courses["LSE"]
    done = D(2024, 3, 5)
    expires = P.add_years(done, lse.validity_years)
    grace_end = P.add_months(expires, lse.grace_months)
    training = records({"course": "LSE", "completed": done})
    window = max(rules.reminder_days)

    def state(on):
        return P.course_status(training, "LSE", rules, on)

    assert state(expires - dt.timedelta(days=window + 1)).status == P.VALID
    assert state(expires - dt.timedelta(days=window)).status == P.EXPIRING
    on_deadline = state(expires)
    assert (on_deadline.status, on_deadline.days_left) == (P.EXPIRING, 0)
    day_after = state(expires + dt.timedelta(days=1))
    assert (day_after.status, day_after.days_left, day_after.grace_end) == \
        (P.IN_GRACE, -1, grace_end)
    assert day_after.holds
    assert state(grace_end).status == P.IN_GRACE
    gone = state(grace_end + dt.timedelta(days=1))
    assert gone.status == P.EXPIRED and not gone.holds


def test_a_course_without_grace_expires_the_day_after(rules):
    training = records({"course": "RTW", "completed": "2023-04-10"})
    expires = P.add_years(D(2023, 4, 10), rules.courses["RTW"].validity_years)
    assert P.course_status(training, "RTW", rules, expires).status == P.EXPIRING
    after = P.course_status(training, "RTW", rules, expires + dt.timedelta(days=1))
    assert (after.status, after.grace_end) == (P.EXPIRED, None)


def test_a_refresher_renews_its_base_course(rules):
    training = records({"course": "LSE", "completed": "2019-01-10"},
                       {"course": "LSE-REFRESHER", "completed": "2025-01-20"})
    s = P.course_status(training, "LSE", rules, D(2026, 1, 1))
    assert (s.course, s.status, s.taken_as, s.completed) == \
        ("LSE", P.VALID, "LSE-REFRESHER", D(2025, 1, 20))
    assert s.expires == D(2028, 1, 20)
    # asking for the refresher answers for the course it renews
    assert P.course_status(training, "LSE-REFRESHER", rules, D(2026, 1, 1)).course == "LSE"


def test_program_course_names_match_whatever_their_case(rules):
    s = P.course_status(records({"course": "lse", "completed": "2025-01-01"}), "LSE", rules,
                        D(2026, 1, 1))
    assert s.status == P.VALID and s.expires == D(2028, 1, 1)


def test_an_explicit_expiry_wins_over_the_computed_one(rules):
    training = records({"course": "LSE", "completed": "2025-01-01", "expires": "2026-02-01"})
    s = P.course_status(training, "LSE", rules, D(2026, 3, 1))
    assert s.expires == D(2026, 2, 1)
    assert s.status == P.IN_GRACE        # the program's grace still applies
    first_aid = records({"course": "First Aid Level 1", "completed": "2022-05-01",
                         "expires": "2025-05-01"})
    s = P.course_status(first_aid, "First Aid Level 1", rules, D(2025, 5, 2))
    assert (s.status, s.grace_end) == (P.EXPIRED, None)


def test_free_text_courses_without_expiry_stay_valid(rules):
    s = P.course_status(records({"course": "WHMIS", "completed": "2010-01-01"}), "WHMIS",
                        rules, D(2026, 1, 1))
    assert s.status == P.VALID and s.title == "WHMIS"


def test_a_course_completed_in_the_future(rules):
    training = records({"course": "PHSM", "completed": "2026-06-01"})
    s = P.course_status(training, "PHSM", rules, D(2026, 1, 1))
    assert (s.status, s.completed) == (P.FUTURE, D(2026, 6, 1)) and not s.holds
    # on the day itself it counts
    assert P.course_status(training, "PHSM", rules, D(2026, 6, 1)).status == P.VALID
    # an earlier record still counts while the next one is in the future
    both = records({"course": "RTW", "completed": "2024-01-01"},
                   {"course": "RTW-REFRESHER", "completed": "2026-06-01"})
    s = P.course_status(both, "RTW", rules, D(2026, 1, 1))
    assert (s.status, s.completed) == (P.VALID, D(2024, 1, 1))


def test_a_missing_course(rules):
    s = P.course_status([], "RTW", rules, D(2026, 1, 1))
    assert (s.status, s.completed, s.expires) == (P.MISSING, None, None)


# ------------------------------------------------------------------ people and the company


def test_training_status_lists_required_then_other_courses(rules):
    profile = profile_with([
        person("Owner", ["owner"], training=[{"course": "WHMIS", "completed": "2025-01-01"}]),
        person("Crew", ["supervisor"], "seasonal"),
        person("Hand", ["worker"], "part_time"),
    ])
    owner, crew, hand = P.training_status(profile, rules, D(2026, 1, 1))
    assert [c.course for c in owner.courses] == list(rules.required_courses) + ["WHMIS"]
    assert owner.required == tuple(rules.required_courses)
    assert owner.course("RTW").status == P.MISSING
    assert crew.required == (rules.supervisor_course,) and crew.supervisor
    assert not crew.course_holder
    assert hand.courses == () and not hand.supervisor


def test_company_courses_need_an_eligible_holder(rules):
    on = D(2026, 1, 1)
    profile = profile_with([
        person("Owner", ["owner"], training=[{"course": "PHSM", "completed": "2024-01-01"}]),
        # full-time: may be the trainee even without a lead role
        person("Lead", ["supervisor"], "full_time",
               training=[{"course": "LSE", "completed": "2025-01-01"}]),
        # part-time worker: holds RTW but may not be the company's trainee
        person("Temp", ["worker"], "part_time",
               training=[{"course": "RTW", "completed": "2025-01-01"}]),
    ])
    by_course = {c.course: c for c in P.company_courses(profile, rules, on)}
    assert by_course["PHSM"].met and by_course["PHSM"].holder == "Owner"
    assert by_course["LSE"].met and by_course["LSE"].holder == "Lead"
    rtw = by_course["RTW"]
    assert not rtw.met and rtw.status == P.MISSING and rtw.holder is None
    assert rtw.ineligible_holders == ("Temp",)


def test_company_course_picks_the_best_holder(rules):
    profile = profile_with([
        person("A", ["owner"], training=[{"course": "LSE", "completed": "2020-01-01"}]),
        person("B", ["senior_manager"], training=[{"course": "LSE", "completed": "2025-01-01"}]),
    ])
    lse = next(c for c in P.company_courses(profile, rules, D(2026, 1, 1)) if c.course == "LSE")
    assert (lse.met, lse.holder, lse.status) == (True, "B", P.VALID)


def test_company_course_expired_is_unmet(rules):
    profile = profile_with([
        person("A", ["owner"], training=[{"course": "RTW", "completed": "2020-01-01"}])])
    rtw = next(c for c in P.company_courses(profile, rules, D(2026, 1, 1)) if c.course == "RTW")
    assert (rtw.met, rtw.status, rtw.holder) == (False, P.EXPIRED, "A")


def test_owner_who_supervises_is_counted_once(rules):
    profile = profile_with([
        person("Owner", ["owner", "supervisor", "senior_manager"],
               training=[{"course": "LSE", "completed": "2025-01-01"}]),
        person("Crew", ["supervisor"]),
    ])
    ratio = P.lse_ratio(profile, rules, D(2026, 1, 1))
    assert ratio.supervisors == ("Owner", "Crew")
    assert ratio.with_course == ("Owner",) and ratio.without == ("Crew",)
    assert ratio.share == 0.5 and ratio.met  # 1 of 2 is 50%


def test_no_supervisor_role_listed_the_owner_supervises(rules):
    profile = profile_with([person("Solo", ["owner"])])
    ratio = P.lse_ratio(profile, rules, D(2026, 1, 1))
    assert ratio.supervisors == ("Solo",) and ratio.required == 1 and not ratio.met
    trained = profile_with([person("Solo", ["owner"],
                                   training=[{"course": "LSE", "completed": "2025-01-01"}])])
    assert P.lse_ratio(trained, rules, D(2026, 1, 1)).met


def test_a_senior_manager_is_not_a_supervisor_and_the_owner_only_when_nobody_is(rules):
    """Issue 12: the office manager does not direct work; an owner directs it only when no
    one else is named supervisor (a crew lead), so neither counts in the LSE ratio then."""
    profile = profile_with([person("Owner", ["owner"]), person("Office", ["senior_manager"]),
                            person("Lead", ["supervisor"])])
    assert [p.name for p in P.supervisors(profile, rules)] == ["Lead"]
    assert P.lse_ratio(profile, rules, D(2026, 1, 1)).supervisors == ("Lead",)
    office = P.training_status(profile, rules, D(2026, 1, 1))[1]
    assert not office.supervisor and rules.supervisor_course in office.required  # as holder
    alone = profile_with([person("Owner", ["owner"]), person("Office", ["senior_manager"])])
    assert [p.name for p in P.supervisors(alone, rules)] == ["Owner"]


def test_no_supervisors_at_all_is_unmet(rules):
    only_supervisors = rules.model_copy(update={"supervisor_roles": ["supervisor"],
                                                "supervisor_fallback_roles": []})
    profile = profile_with([person("Solo", ["owner"])])
    ratio = P.lse_ratio(profile, only_supervisors, D(2026, 1, 1))
    assert ratio.supervisors == () and ratio.share is None
    assert ratio.required == 0 and not ratio.met


def test_ratio_rounds_the_required_count_up(rules):
    people = [person(f"S{i}", ["supervisor"]) for i in range(3)]
    people[0]["training"] = [{"course": "LSE", "completed": "2025-01-01"}]
    people.append(person("Owner", ["worker", "senior_manager"]))
    ratio = P.lse_ratio(profile_with(people), rules, D(2026, 1, 1))
    assert len(ratio.supervisors) == 3 and ratio.required == 2 and not ratio.met
    three_tenths = rules.model_copy(update={"supervisor_lse_ratio": 0.3})
    ten = profile_with([person(f"S{i}", ["owner" if i == 0 else "supervisor"],
                               training=[{"course": "LSE", "completed": "2025-01-01"}]
                               if i < 3 else []) for i in range(10)])
    assert P.lse_ratio(ten, three_tenths, D(2026, 1, 1)).required == 3   # not 4 (float)


def test_lse_in_grace_counts_but_is_flagged(rules):
    profile = profile_with([
        person("Owner", ["owner"], training=[{"course": "LSE", "completed": "2022-10-01"}]),
    ])
    on = D(2026, 1, 1)  # expired 2025-10-01, grace to 2026-04-01
    ratio = P.lse_ratio(profile, rules, on)
    assert ratio.met and ratio.with_course == ("Owner",) and ratio.in_grace == ("Owner",)
    later = P.lse_ratio(profile, rules, D(2026, 4, 2))
    assert not later.met and later.in_grace == () and later.without == ("Owner",)


def test_eligibility_uses_the_employee_limit(rules):
    limit = rules.employee_limit
    assert P.eligibility(profile_with([person("A", ["owner"])], peak_employees=limit - 1),
                         rules).eligible
    big = Profile.model_construct(**{**profile_with([person("A", ["owner"])]).__dict__})
    object.__setattr__(big, "company", big.company.model_copy(update={"peak_employees": limit}))
    assert P.eligibility(big, rules) == P.Eligibility(limit, limit, False)


# ------------------------------------------------------------------ the cycle


def test_review_period_is_the_twelve_months_before_the_anniversary(rules):
    assert P.review_period(D(2026, 2, 28), rules) == (D(2025, 3, 1), D(2026, 2, 28))
    assert P.review_period(D(2026, 12, 15), rules) == (D(2025, 12, 16), D(2026, 12, 15))
    assert P.review_period(D(2028, 2, 29), rules) == (D(2027, 3, 1), D(2028, 2, 29))


def test_anniversary_on_february_29(rules):
    assert P.anniversaries(D(2024, 2, 29), rules) == (D(2025, 2, 28), D(2026, 2, 28),
                                                      D(2027, 2, 28))
    items = P.cycle_items(D(2024, 2, 29), rules)
    assert [i.date for i in items] == [D(2024, 2, 29), D(2025, 2, 28), D(2026, 2, 28),
                                       D(2027, 2, 28)]
    # the year-2 submission covers the leap day
    assert (items[1].period_start, items[1].period_end) == (D(2024, 2, 29), D(2025, 2, 28))
    pos = P.cycle_position(Secor(certificate_number="S-1", certificate_date=D(2024, 2, 29)),
                           rules, D(2026, 2, 28))
    assert (pos.cycle_year, pos.anniversary, pos.days_left) == (3, D(2026, 2, 28), 0)
    assert pos.certificate_expires == D(2027, 2, 28)


def test_cycle_items_follow_program_yaml(rules):
    items = P.cycle_items(D(2024, 12, 15), rules)
    assert [(i.cycle_year, i.due) for i in items] == \
        [(y, rules.cycle.years[y].due) for y in sorted(rules.cycle.years)]


SECOR = Secor(certificate_number="S-0423", certificate_date=D(2024, 12, 15))


@pytest.mark.parametrize(("on", "year", "due", "due_date", "days_left"), [
    (D(2024, 12, 15), 2, "annual_submission", D(2025, 12, 15), 365),
    (D(2025, 12, 15), 2, "annual_submission", D(2025, 12, 15), 0),     # on the deadline
    (D(2025, 12, 16), 3, "annual_submission", D(2026, 12, 15), 364),   # the day after
    (D(2027, 12, 15), 4, "recertifying_audit", D(2027, 12, 15), 0),
    (D(2027, 12, 16), 4, "recertifying_audit", D(2027, 12, 15), -1),   # one day late
])
def test_cycle_position_on_and_after_deadlines(rules, on, year, due, due_date, days_left):
    pos = P.cycle_position(SECOR, rules, on)
    assert (pos.cycle_year, pos.next_item.due, pos.next_item.date, pos.days_left) == \
        (year, due, due_date, days_left)
    assert pos.overdue == (days_left < 0)
    assert pos.days_late == max(0, -days_left)


def test_certificate_more_than_three_years_old(rules):
    pos = P.cycle_position(SECOR, rules, D(2028, 6, 1))
    assert pos.certificate_expired and pos.overdue
    assert pos.next_item.due == "recertifying_audit"
    assert pos.days_late == (D(2028, 6, 1) - D(2027, 12, 15)).days
    assert not P.cycle_position(SECOR, rules, D(2027, 12, 15)).certificate_expired


def test_certificate_dated_after_the_day_asked(rules):
    pos = P.cycle_position(SECOR, rules, D(2024, 11, 1))
    assert pos.cycle_year == 1 and pos.next_item.due == "certifying_audit"
    assert not pos.overdue


def test_next_anniversary_runs_past_the_cycle():
    assert P.next_anniversary(D(2024, 12, 15), D(2025, 12, 15)) == D(2025, 12, 15)
    assert P.next_anniversary(D(2024, 12, 15), D(2025, 12, 16)) == D(2026, 12, 15)
    assert P.next_anniversary(D(2024, 12, 15), D(2024, 1, 1)) == D(2025, 12, 15)
    assert P.next_anniversary(D(2024, 2, 29), D(2031, 3, 1)) == D(2032, 2, 29)


def test_reminder_dates(rules):
    due = D(2026, 12, 15)
    assert P.reminder_dates(due, rules) == tuple(
        due - dt.timedelta(days=d) for d in sorted(rules.reminder_days, reverse=True))
