"""Daily reports, lateness, the city's bulletin and monthly reports; who may report for which unit."""

import re
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from checklist import clock
from checklist.clock import CHINA, local_today
from checklist.models import (
    Campaign,
    DailyReport,
    EnforcementAction,
    EnforcementKind,
    Hazard,
    HazardLevel,
    HazardStatus,
    Inspection,
    InspectionMode,
    InspectionStatus,
    MonthlyReport,
    Unit,
    UnitKind,
    User,
)
from checklist.read import paging, reports
from checklist.read.reports import DailyTexts, MonthlyTexts, ReportState
from checklist.rules.definitions import current_checklist
from checklist.rules.reports import ReportError, submit_daily_report, submit_monthly_report

from .factories import add_inspector, add_unit

DAY = date(2021, 9, 6)  # a day of the campaign, reported on the morning of 7 September
ENTERPRISE_A = "91140702MA0K000013"


def cst(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in China Standard Time, as the naive UTC the database stores."""
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)
    return moment.astimezone(UTC).replace(tzinfo=None)


NEXT_MORNING = DAY + timedelta(days=1)


@dataclass
class Reporters:
    committee_a: Unit
    committee_b: Unit
    city_department: Unit
    other_city_department: Unit
    county_admin_a: User
    county_admin_b: User
    city_department_staff: User


@pytest.fixture
def reporters(world, db) -> Reporters:
    """The two counties' committee offices and admins, and two city departments, one with its staff."""
    city_department = add_unit(db, "晋中市住建局", liaison_name="吴联络", liaison_phone="3026350")
    other_city_department = add_unit(db, "晋中市交通运输局")
    staff = add_inspector(db, "city_dept", city_department, "冯科长")
    db.commit()
    committee = {unit.name: unit for unit in db.scalars(select(Unit).where(Unit.kind == UnitKind.COMMITTEE))}
    return Reporters(
        committee_a=committee["榆次区安委办"], committee_b=committee["太谷区安委办"],
        city_department=city_department, other_city_department=other_city_department,
        county_admin_a=world.county_admin_a, county_admin_b=world.county_admin_b, city_department_staff=staff,
    )


class Factory:
    """Inspections, hazards and enforcement actions made directly, at chosen times."""

    def __init__(self, app, db, world):
        self.app, self.db, self.world = app, db, world
        self.campaign = db.scalars(select(Campaign)).first()

    def inspection(self, unit, at, mode=InspectionMode.COUNTY_FULL, enterprise=None, submitted=True) -> Inspection:
        enterprise = enterprise or self.world.enterprise_a
        inspection = Inspection(
            uuid=str(uuid.uuid4()), campaign=self.campaign, enterprise=enterprise, unit_id=unit.id if unit else None,
            checklist=current_checklist(self.db, self.app.extensions["catalogue"], enterprise.sector),
            created_by=self.world.inspector_a, mode=mode, started_at=at,
            status=InspectionStatus.SUBMITTED if submitted else InspectionStatus.DRAFT,
            submitted_at=at if submitted else None,
        )
        self.db.add(inspection)
        self.db.flush()
        return inspection

    def hazard(self, inspection, closed_at=None, level=HazardLevel.GENERAL, description="临边防护缺失") -> Hazard:
        hazard = Hazard(
            inspection=inspection, enterprise_id=inspection.enterprise_id, level=level, description=description,
            deadline=(inspection.submitted_at or inspection.started_at).date() + timedelta(days=10),
            responsible_person="王经理", found_at=inspection.submitted_at, closed_at=closed_at,
            status=HazardStatus.CLOSED if closed_at else HazardStatus.OPEN,
        )
        self.db.add(hazard)
        return hazard

    def action(self, inspection, at, kind=EnforcementKind.FINE, fine="0") -> EnforcementAction:
        action = EnforcementAction(
            inspection=inspection, enterprise_id=inspection.enterprise_id, kind=kind, fine_wan=Decimal(fine),
            created_at=at,
        )
        self.db.add(action)
        return action


@pytest.fixture
def make(app, db, world) -> Factory:
    return Factory(app, db, world)


def texts(**overrides) -> DailyTexts:
    values = {
        "leadership": "县长带队检查建筑工地2处", "highlights": "视频调度全覆盖",
        "problems": "部分企业自查流于形式", "typical_cases": "某建工公司脚手架连墙件缺失，已责令停工整改",
    }
    return DailyTexts(**{**values, **overrides})


# The figures from the data


def test_the_prefilled_figures_of_a_county_equal_the_hand_counted_data(db, world, reporters, make):
    unit_a, committee_a = world.unit_a, reporters.committee_a
    make.inspection(unit_a, cst(DAY, 0, 30), InspectionMode.VIDEO)  # 16:30 UTC the day before: still this day
    surprise = make.inspection(unit_a, cst(DAY, 12), InspectionMode.SURPRISE)
    make.inspection(unit_a, cst(DAY, 23, 59), InspectionMode.COUNTY_FULL)
    make.inspection(committee_a, cst(DAY, 10), InspectionMode.CROSS)
    make.inspection(unit_a, cst(DAY, 15), InspectionMode.SELF_CHECK, enterprise=world.enterprise_a2)
    make.inspection(unit_a, cst(DAY, 11), InspectionMode.VIDEO, submitted=False)  # a draft is not yet work done
    make.inspection(unit_a, cst(NEXT_MORNING), InspectionMode.COUNTY_FULL)  # the next day
    day_before = make.inspection(unit_a, cst(DAY - timedelta(days=1), 23, 59), InspectionMode.VIDEO)
    county_b = make.inspection(world.unit_b, cst(DAY, 12), InspectionMode.SURPRISE, enterprise=world.enterprise_b)
    earlier = make.inspection(unit_a, cst(DAY - timedelta(days=3), 9), InspectionMode.COUNTY_FULL)
    make.hazard(surprise)
    make.hazard(surprise, closed_at=cst(DAY, 18))
    make.hazard(earlier, closed_at=cst(DAY, 9))
    make.hazard(earlier, closed_at=cst(NEXT_MORNING, 1))
    make.hazard(county_b, closed_at=cst(DAY, 20))
    make.action(surprise, cst(DAY, 12), fine="1.50")
    make.action(surprise, cst(DAY, 12, 5), kind=EnforcementKind.DOCUMENT)
    make.action(day_before, cst(DAY - timedelta(days=1), 23), fine="2.25")
    make.action(county_b, cst(DAY, 12), fine="3.00")
    db.commit()

    assert reports.daily_figures(db, committee_a, DAY) == reports.Figures(
        video_checks=1, surprise_checks=1, supervision_checks=2, hazards_found=2, hazards_closed=2,
        enforcement_actions=2, fines_wan=Decimal("1.50"),
    )
    assert reports.daily_figures(db, reporters.committee_b, DAY) == reports.Figures(
        surprise_checks=1, hazards_found=1, hazards_closed=1, enforcement_actions=1, fines_wan=Decimal("3.00"),
    )


def test_a_city_department_reports_only_its_own_work(db, world, reporters, make):
    department = reporters.city_department
    spot = make.inspection(department, cst(DAY, 9), InspectionMode.CITY_SPOT)
    make.inspection(department, cst(DAY, 14), InspectionMode.SURPRISE, enterprise=world.enterprise_b)
    make.inspection(department, cst(DAY, 16), InspectionMode.VIDEO)
    make.inspection(reporters.other_city_department, cst(DAY, 9), InspectionMode.CITY_SPOT)
    make.inspection(world.city_unit, cst(DAY, 9), InspectionMode.CITY_SPOT)
    make.inspection(world.unit_a, cst(DAY, 9), InspectionMode.SURPRISE)
    make.hazard(spot, level=HazardLevel.MAJOR)
    make.action(spot, cst(DAY, 9, 30), kind=EnforcementKind.SUSPENSION)
    db.commit()
    assert reports.daily_figures(db, department, DAY) == reports.Figures(
        video_checks=1, surprise_checks=2, hazards_found=1, enforcement_actions=1,
    )


# Who reports for which unit


def test_counties_and_city_departments_report_and_the_city_office_does_not(db, world, reporters):
    units = reports.reporting_units(db)
    assert [unit.name for unit in units] == ["榆次区安委办", "太谷区安委办", "晋中市交通运输局", "晋中市住建局"]
    assert reports.reporting_unit_for(db, reporters.county_admin_a) == reporters.committee_a
    assert reports.reporting_unit_for(db, reporters.city_department_staff) == reporters.city_department
    for user in (world.city_admin, world.inspector_a, world.enterprise_user_a):
        assert reports.reporting_unit_for(db, user) is None


def test_a_county_b_admin_cannot_report_for_county_a(db, login, reporters):
    with pytest.raises(ReportError):
        submit_daily_report(db, reporters.county_admin_b, reporters.committee_a, DAY, texts())
    db.rollback()
    client = login("admin_b")
    url = f"/reports/daily?day={DAY}&unit={reporters.committee_a.id}"
    assert client.get(url).status_code == 403
    assert client.post(url, asdict(texts())).status_code == 403
    assert client.get(f"/reports/monthly?unit={reporters.committee_a.id}").status_code == 403
    assert db.scalar(select(func.count(DailyReport.id))) == 0


def test_a_city_department_reports_for_itself_but_not_for_another_department(db, login, reporters):
    client = login("city_dept")
    assert client.post(f"/reports/daily?day={DAY}", asdict(texts())).status_code == 302
    report = db.scalars(select(DailyReport)).one()
    assert (report.unit_id, report.report_date, report.submitted_by_id) == (
        reporters.city_department.id, DAY, reporters.city_department_staff.id,
    )
    other = f"/reports/daily?day={DAY}&unit={reporters.other_city_department.id}"
    assert client.post(other, asdict(texts())).status_code == 403


URLS = [
    "/reports/daily", f"/reports/daily?day={DAY}", f"/reports/daily/status?day={DAY}", f"/reports/bulletin?day={DAY}",
    f"/reports/bulletin.xlsx?day={DAY}", "/reports/monthly", "/reports/monthly/overview",
]


@pytest.mark.parametrize("username", [ENTERPRISE_A, "insp_a"])
@pytest.mark.parametrize("url", URLS)
def test_an_enterprise_and_a_county_units_inspector_may_not_open_the_reports(login, reporters, username, url):
    assert login(username).get(url).status_code == 403


@pytest.mark.parametrize("username", [ENTERPRISE_A, "insp_a"])
@pytest.mark.parametrize("url", ["/reports/daily", "/reports/monthly"])
def test_an_enterprise_and_a_county_units_inspector_may_not_send_a_report(db, login, reporters, username, url):
    data = {**asdict(texts()), "measures": "加强督导"}
    assert login(username).post(f"{url}?day={DAY}", data).status_code == 403
    assert db.scalar(select(func.count(DailyReport.id))) == db.scalar(select(func.count(MonthlyReport.id))) == 0


@pytest.mark.parametrize("url", [f"/reports/daily/status?day={DAY}", f"/reports/bulletin?day={DAY}",
                                 f"/reports/bulletin.xlsx?day={DAY}", "/reports/monthly/overview"])
def test_only_the_city_sees_every_units_reports(login, reporters, url):
    assert login("admin_a").get(url).status_code == 403
    assert login("city").get(url).status_code == 200


def test_the_city_is_sent_from_the_report_form_to_the_status_page(login, reporters):
    assert login("city").get(f"/reports/daily?day={DAY}").location == f"/reports/daily/status?day={DAY}"


# Sending a daily report


def test_a_report_is_sent_with_the_figures_and_texts(db, world, login, reporters, make):
    make.inspection(world.unit_a, cst(DAY, 10), InspectionMode.VIDEO)
    db.commit()
    client = login("admin_a")
    page = client.get(f"/reports/daily?day={DAY}").get_data(as_text=True)
    assert "榆次区安委办" in page and 'name="leadership"' in page
    assert client.post(f"/reports/daily?day={DAY}", asdict(texts())).status_code == 302
    report = db.scalars(select(DailyReport)).one()
    assert (report.unit_id, report.video_checks, report.leadership) == (
        reporters.committee_a.id, 1, "县长带队检查建筑工地2处",
    )


def test_sending_again_updates_texts_and_figures_but_keeps_the_first_sending_time(db, world, reporters, make):
    admin = reporters.county_admin_a
    first = submit_daily_report(db, admin, reporters.committee_a, DAY, texts(), now=cst(NEXT_MORNING, 9))
    db.commit()
    make.inspection(world.unit_a, cst(DAY, 15), InspectionMode.SURPRISE)
    db.commit()
    again = submit_daily_report(
        db, admin, reporters.committee_a, DAY, texts(problems="补报：夜间施工未审批"), now=cst(NEXT_MORNING, 11),
    )
    db.commit()
    assert again.id == first.id and db.scalar(select(func.count(DailyReport.id))) == 1
    assert (again.problems, again.surprise_checks) == ("补报：夜间施工未审批", 1)
    assert again.submitted_at == cst(NEXT_MORNING, 9)
    assert reports.report_state(DAY, again) is ReportState.ON_TIME


def test_the_form_says_when_the_data_changed_after_the_report_was_sent(db, world, login, reporters, make):
    client = login("admin_a").english()
    client.post(f"/reports/daily?day={DAY}", asdict(texts()))
    notice = "The data has changed since the report was sent"
    assert notice not in client.get(f"/reports/daily?day={DAY}").get_data(as_text=True)
    make.inspection(world.unit_a, cst(DAY, 16), InspectionMode.VIDEO)
    db.commit()
    page = client.get(f"/reports/daily?day={DAY}").get_data(as_text=True)
    assert notice in page and "县长带队检查建筑工地2处" in page  # the form holds the texts sent


@pytest.mark.parametrize("day_offset", [0, 1])
def test_today_and_later_cannot_be_reported_yet(db, reporters, day_offset):
    now = cst(NEXT_MORNING, 9)
    with pytest.raises(ReportError):
        submit_daily_report(db, reporters.county_admin_a, reporters.committee_a,
                                      NEXT_MORNING + timedelta(days=day_offset), texts(), now=now)


def test_the_report_form_of_today_offers_no_sending(db, login, reporters):
    client = login("admin_a")
    page = client.get(f"/reports/daily?day={local_today()}").get_data(as_text=True)
    assert 'name="leadership"' not in page
    response = client.post(f"/reports/daily?day={local_today()}", asdict(texts()))
    assert response.status_code == 200 and "flash error" in response.get_data(as_text=True)
    assert db.scalar(select(func.count(DailyReport.id))) == 0


# Lateness, the status page and the bulletin


def send(db, user, unit, hour, minute, **overrides):
    report = submit_daily_report(db, user, unit, DAY, texts(**overrides), now=cst(NEXT_MORNING, hour, minute))
    db.commit()
    return report


def states_on(page: str) -> dict[str, str]:
    return dict((name, state) for state, name in re.findall(r'data-state="(\w+)">\s*<b>([^<]+)</b>', page))


def test_on_time_late_and_missing_reports_are_flagged_on_the_status_page(db, login, reporters):
    send(db, reporters.county_admin_a, reporters.committee_a, 9, 59)
    send(db, reporters.city_department_staff, reporters.city_department, 10, 1)
    page = login("city").get(f"/reports/daily/status?day={DAY}").get_data(as_text=True)
    assert states_on(page) == {
        "榆次区安委办": "on_time", "晋中市住建局": "late", "太谷区安委办": "missing", "晋中市交通运输局": "missing",
    }
    assert page.count('class="flagged"') == 3
    assert "3026350" in page  # the liaison's phone, to chase the report


def test_a_report_at_ten_oclock_sharp_is_on_time_and_none_is_missing_only_after_ten(db, reporters):
    report = send(db, reporters.county_admin_a, reporters.committee_a, 10, 0)
    assert reports.report_state(DAY, report) is ReportState.ON_TIME
    assert reports.report_state(DAY, None, now=cst(NEXT_MORNING, 10)) is ReportState.NOT_DUE
    assert reports.report_state(DAY, None, now=cst(NEXT_MORNING, 10, 1)) is ReportState.MISSING


def test_a_sent_report_shows_in_the_bulletin_and_its_xlsx(db, world, login, reporters, make):
    make.inspection(world.unit_a, cst(DAY, 10), InspectionMode.VIDEO)
    make.inspection(reporters.city_department, cst(DAY, 10), InspectionMode.CITY_SPOT)
    db.commit()
    formula = '=HYPERLINK("http://x")'
    client = login("admin_a")
    assert client.post(f"/reports/daily?day={DAY}", asdict(texts(typical_cases=formula))).status_code == 302
    send(db, reporters.city_department_staff, reporters.city_department, 8, 0, highlights="市级抽查印证县级检查")

    page = login("city").get(f"/reports/bulletin?day={DAY}").get_data(as_text=True)
    assert "安全检查督导工作简报" in page and "2021年9月6日" in page
    for text in ("榆次区安委办", "县长带队检查建筑工地2处", "晋中市住建局", "市级抽查印证县级检查", "太谷区安委办"):
        assert text in page
    assert page.index("榆次区安委办") < page.index("晋中市住建局")
    assert "report-counter.js" not in page and "<script>" not in page

    response = login("city").get(f"/reports/bulletin.xlsx?day={DAY}")
    assert response.status_code == 200 and "bulletin-2021-09-06.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.data)).active
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert sheet["A1"].value == "安全检查督导工作简报"
    county = rows["榆次区安委办"]
    assert county[2] == 1 and "县长带队检查建筑工地2处" in county and formula in county
    assert rows["晋中市住建局"][3] == 1 and "市级抽查印证县级检查" in rows["晋中市住建局"]
    assert rows["太谷区安委办"][2] is None
    total = next(row for name, row in rows.items() if name not in {unit.name for unit in reports.reporting_units(db)})
    assert total[2:4] == (1, 1)
    cell = next(cell for row in sheet.iter_rows(min_row=4) for cell in row if cell.value == formula)
    assert cell.data_type == "s"


# The server's own time zone does not matter


@pytest.fixture
def new_york(monkeypatch):
    """Run with the server's zone set to New York, and put it back afterwards."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_deadlines_and_days_are_china_standard_time_whatever_the_servers_zone(new_york, db, reporters):
    assert time.localtime().tm_zone in ("EST", "EDT")
    assert reports.deadline(DAY) == datetime(2021, 9, 7, 2, 0)
    assert clock.day_bounds(DAY) == (datetime(2021, 9, 5, 16, 0), datetime(2021, 9, 6, 16, 0))
    # 08:00 on the 7th in China is still the evening of the 6th in New York: the 6th is over all the same.
    morning = cst(NEXT_MORNING, 8)
    assert clock.local_day(morning) == NEXT_MORNING and reports.yesterday(morning) == DAY
    on_time = send(db, reporters.county_admin_a, reporters.committee_a, 9, 59)
    late = send(db, reporters.city_department_staff, reporters.city_department, 10, 1)
    assert reports.report_state(DAY, on_time) is ReportState.ON_TIME
    assert reports.report_state(DAY, late) is ReportState.LATE
    assert reports.yesterday() == datetime.now(CHINA).date() - timedelta(days=1)


# Monthly reports


def test_the_monthly_check_counts_characters_without_whitespace_and_gives_the_numbers():
    assert reports.check_monthly("亮点" * 625, "问 题\n" * 625, "") == []  # 1,250 + 1,250 = 2,500
    [too_long] = reports.check_monthly("亮点" * 625, "问题" * 626, "")
    assert str(too_long) == "The report has 2502 characters; at most 2500 are allowed, so remove 2."
    [too_few] = reports.check_monthly("亮" * 30, "问" * 49, "措" * 21)
    assert "49%" in str(too_few) and "49 of 100" in str(too_few) and "51 characters" in str(too_few)
    assert reports.check_monthly("亮" * 30, "问" * 50, "措" * 20) == []
    assert len(reports.check_monthly("", "", "")) == 1


def this_month() -> str:
    return local_today().strftime("%Y-%m")


def post_monthly(client, highlights, problems, measures=""):
    data = {"highlights": highlights, "problems": problems, "measures": measures}
    return client.post(f"/reports/monthly?month={this_month()}", data)


def test_a_monthly_report_of_2501_characters_is_refused_with_the_numbers(db, login, reporters):
    response = post_monthly(login("admin_a"), "亮" * 1200, "问" * 1301)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "2501" in page and "2500" in page
    assert "问" * 1301 in page  # what was typed is kept
    assert db.scalar(select(func.count(MonthlyReport.id))) == 0


def test_a_monthly_report_with_49_percent_problems_is_refused(db, login, reporters):
    page = post_monthly(login("admin_a").english(), "亮" * 51, "问" * 49).get_data(as_text=True)
    assert "49%" in page and "49 of 100" in page
    assert db.scalar(select(func.count(MonthlyReport.id))) == 0


def test_a_monthly_report_with_half_problems_is_accepted(db, login, reporters):
    client = login("admin_a")
    assert post_monthly(client, "亮" * 30, "问" * 50, "措" * 20).status_code == 302
    report = db.scalars(select(MonthlyReport)).one()
    assert (report.unit_id, report.month, report.problems) == (
        reporters.committee_a.id, local_today().replace(day=1), "问" * 50,
    )
    assert "问" * 50 in login("city").get(f"/reports/monthly/overview?month={this_month()}").get_data(as_text=True)


def test_the_monthly_page_loads_its_counter_script_and_no_inline_script(login, reporters):
    page = login("admin_a").get("/reports/monthly").get_data(as_text=True)
    assert '<script src="/static/js/report-counter.js" defer></script>' in page
    assert 'id="report-counter"' in page and 'data-limit="2500"' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) is None
    assert "report-counter.js" not in login("admin_a").get("/reports/daily").get_data(as_text=True)


def test_the_monthly_page_lists_the_major_hazards_of_the_month_one_by_one(db, world, login, reporters, make):
    month = date(2021, 9, 1)
    found_in_month = make.inspection(world.unit_a, cst(date(2021, 9, 10), 9))
    earlier = make.inspection(world.unit_a, cst(date(2021, 8, 10), 9))
    by_the_city = make.inspection(reporters.city_department, cst(date(2021, 9, 12), 9), InspectionMode.CITY_SPOT)
    county_b = make.inspection(world.unit_b, cst(date(2021, 9, 10), 9), enterprise=world.enterprise_b)
    make.hazard(found_in_month, level=HazardLevel.MAJOR, description="重大：塔吊基础沉降")
    make.hazard(earlier, level=HazardLevel.MAJOR, description="重大：深基坑未监测")  # open all September
    make.hazard(earlier, level=HazardLevel.MAJOR, closed_at=cst(date(2021, 8, 31), 23), description="八月已销号")
    make.hazard(earlier, level=HazardLevel.MAJOR, closed_at=cst(date(2021, 9, 1), 0, 1), description="九月初销号")
    make.hazard(by_the_city, level=HazardLevel.MAJOR, description="重大：市级抽查发现")
    make.hazard(found_in_month, description="一般：安全帽未佩戴")
    make.hazard(county_b, level=HazardLevel.MAJOR, description="太谷重大隐患")
    db.commit()
    def of(unit):
        return [hazard.description for hazard in db.scalars(reports.major_hazards_of_month(unit, month)).unique()]

    listed = of(reporters.committee_a)
    assert listed == ["重大：深基坑未监测", "九月初销号", "重大：塔吊基础沉降", "重大：市级抽查发现"]
    assert of(reporters.city_department) == ["重大：市级抽查发现"]
    page = login("admin_a").get("/reports/monthly?month=2021-09").get_data(as_text=True)
    assert all(description in page for description in listed) and "太谷重大隐患" not in page


def test_the_major_hazards_of_a_busy_month_come_a_page_at_a_time(db, world, login, reporters, make, monkeypatch):
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    inspection = make.inspection(world.unit_a, cst(date(2021, 9, 10), 9))
    for number in range(1, 6):
        make.hazard(inspection, level=HazardLevel.MAJOR, description=f"重大隐患第{number}项")
    db.commit()
    admin = login("admin_a")
    first = admin.get("/reports/monthly?month=2021-09").get_data(as_text=True)
    assert "重大隐患第1项" in first and "重大隐患第3项" not in first and "1 / 3" in first
    last = admin.get("/reports/monthly?month=2021-09&page=3").get_data(as_text=True)
    assert "重大隐患第5项" in last and "重大隐患第1项" not in last and '<ol class="major-list" start="5">' in last
    assert re.search(r'href="/reports/monthly\?(page=2&amp;month=2021-09|month=2021-09&amp;page=2)"', last)


def test_a_future_month_cannot_be_reported(db, reporters):
    with pytest.raises(ReportError):
        submit_monthly_report(
            db, reporters.county_admin_a, reporters.committee_a, date(2021, 10, 1),
            MonthlyTexts(problems="问题"), now=cst(date(2021, 9, 30), 23, 59),
        )


def test_a_malformed_day_or_month_is_a_bad_request(login, reporters):
    client = login("admin_a")
    assert client.get("/reports/daily?day=yesterday").status_code == 400
    assert client.get("/reports/monthly?month=2021-13").status_code == 400


def test_the_nav_offers_reports_to_those_who_report_and_to_the_city(login, reporters):
    for username in ("admin_a", "city_dept", "city"):
        assert "/reports/" in login(username).get("/").get_data(as_text=True)
    assert "/reports/" not in login("insp_a").get("/").get_data(as_text=True)


def test_a_long_list_counts_up_to_its_cap_and_still_pages_to_its_end(db, world, login, make, monkeypatch):
    """A city's lists run to a million rows: the count stops at the cap ("3+"), the pages go on to the last."""
    monkeypatch.setattr(paging, "PAGE_SIZE", 2)
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    inspection = make.inspection(world.unit_a, cst(date(2021, 9, 10), 9))
    for number in range(1, 6):
        make.hazard(inspection, description=f"第{number}项隐患")
    db.commit()
    admin = login("admin_a")
    first = admin.get("/hazards").get_data(as_text=True)
    assert "<small>(3+)</small>" in first and "1 / 2+" in first and 'href="/hazards?page=2"' in first
    second = admin.get("/hazards?page=2").get_data(as_text=True)
    assert "<small>(4+)</small>" in second and 'href="/hazards?page=3"' in second
    last = admin.get("/hazards?page=3").get_data(as_text=True)
    assert "<small>(5)</small>" in last and "3 / 3" in last and "page=4" not in last
    assert sum(f"第{number}项隐患" in page for page in (first, second, last) for number in range(1, 6)) == 5
