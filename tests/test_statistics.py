"""The statistics table (统计表): every cell worked out by hand, its sums, the xlsx form, the texts, who sees it."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import select

from checklist import tallies
from checklist.clock import CHINA
from checklist.models import (
    Campaign,
    Checklist,
    EnforcementAction,
    EnforcementKind,
    Hazard,
    HazardLevel,
    HazardStatus,
    Inspection,
    InspectionMode,
    InspectionStatus,
    TableNote,
    Team,
    Unit,
    UnitKind,
    User,
)
from checklist.read import statistics

from .factories import add_inspector, add_unit

START, END = date(2021, 9, 1), date(2021, 9, 30)
PERIOD = {"from": "2021-09-01", "to": "2021-09-30"}
GENERAL, MAJOR = HazardLevel.GENERAL, HazardLevel.MAJOR
K = EnforcementKind


def cst(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """A moment of 2021 in China Standard Time, as the naive UTC the database stores."""
    return datetime(2021, month, day, hour, minute, second, tzinfo=CHINA).astimezone(UTC).replace(tzinfo=None)


class Builder:
    """Rows written straight into the session, as the inspection rules would have left them."""

    def __init__(self, db, world):
        self.db, self.world = db, world
        self.campaign = db.scalars(select(Campaign)).first()
        self.checklist = Checklist(sector_id=world.enterprise_a.sector_id, version=99, content_hash="0" * 64)
        db.add(self.checklist)
        db.flush()

    def unit(self, name, kind=UnitKind.DEPARTMENT, county=None) -> Unit:
        unit = add_unit(self.db, name, kind, county)
        self.db.flush()
        return unit

    def user(self, username, unit) -> User:
        return add_inspector(self.db, username, unit)

    def team(self, unit, name, members=()) -> Team:
        team = Team(unit_id=unit.id, name=name, members=list(members))
        self.db.add(team)
        self.db.flush()
        return team

    def inspection(self, unit, enterprise, at, *, team=None, inspectors=(), mode=InspectionMode.COUNTY_FULL,
                   draft=False) -> Inspection:
        inspection = Inspection(
            uuid=str(uuid.uuid4()), campaign_id=self.campaign.id, enterprise_id=enterprise.id,
            unit_id=unit.id if unit else None, team_id=team.id if team else None, checklist_id=self.checklist.id,
            created_by_id=self.world.inspector_a.id, mode=mode, started_at=at,
            status=InspectionStatus.DRAFT if draft else InspectionStatus.SUBMITTED,
            submitted_at=None if draft else at, inspectors=list(inspectors),
        )
        self.db.add(inspection)
        self.db.flush()
        return inspection

    def hazard(self, inspection, level, closed=None) -> Hazard:
        hazard = Hazard(
            inspection_id=inspection.id, enterprise_id=inspection.enterprise_id, level=level, description="隐患",
            deadline=date(2021, 12, 31), responsible_person="负责人", found_at=inspection.submitted_at,
            status=HazardStatus.CLOSED if closed else HazardStatus.OPEN, closed_at=closed,
        )
        self.db.add(hazard)
        return hazard

    def kept(self) -> None:
        """Keep the table's figures of what was written (submit_inspection notes them one inspection at a time;
        the hazards' are kept by every flush)."""
        self.db.flush()
        tallies.rebuild_statistics(self.db.connection())

    def action(self, inspection, kind, enterprise=None, fine="0") -> EnforcementAction:
        action = EnforcementAction(
            inspection_id=inspection.id, enterprise_id=(enterprise.id if enterprise else inspection.enterprise_id),
            kind=kind, fine_wan=Decimal(fine),
        )
        self.db.add(action)
        return action


@pytest.fixture
def data(db, world):
    """Inspections of September 2021 in both counties and the city, with some just outside the month.

    The expected figures of each row are worked out in the comments and in the tests below.
    """
    w, b = world, Builder(db, world)
    committee_a = db.scalars(select(Unit).where(Unit.name == "榆次区安委办")).one()
    emergency_a = b.unit("榆次区应急管理局", county=w.county_a)  # no inspection: a row of zeros
    city_housing, city_emergency = b.unit("市住建局"), b.unit("市应急管理局")
    wang, li, zhao = b.user("wang", w.unit_a), b.user("li", w.unit_a), b.user("zhao", w.unit_a)
    zhou, city_inspector = b.user("zhou", committee_a), b.user("city_insp", city_housing)
    team_a2 = b.team(w.unit_a, "第二组", [wang])
    team_a3 = b.team(w.unit_a, "第三组", [zhao])  # used only outside the period
    team_c = b.team(committee_a, "县安委办督导组", [w.county_admin_a, zhou])
    team_b = b.team(w.unit_b, "太谷组", [w.inspector_b])
    team_city = b.team(w.city_unit, "市督导组", [w.city_admin])

    # 榆次区住建局: teams {team_a, team_a2} = 2; people {insp_a, insp_a2, wang} = 3 (li had no team);
    # enterprises {a, a2} = 2; general 4 found, 2 closed by 30 Sep; major 2 found, 1 closed;
    # documents 3; suspensions {a, a2} = 2; fines 1.50 + 0.25 + 0.10 = 1.85; licences 1; closures {a2} = 1; other 1.
    first = b.inspection(w.unit_a, w.enterprise_a, cst(9, 1, 0, 30), team=w.team_a,  # 31 Aug 16:30 UTC: inside
                         inspectors=[w.inspector_a, w.colleague_a])
    b.hazard(first, GENERAL, closed=cst(9, 10))
    b.hazard(first, GENERAL, closed=cst(10, 2))  # closed after the period: not rectified within it
    b.hazard(first, MAJOR)
    b.hazard(first, MAJOR, closed=cst(9, 30, 23))  # 30 Sep 15:00 UTC: still inside
    for kind, fine in ((K.DOCUMENT, "0"), (K.DOCUMENT, "0"), (K.SUSPENSION, "0"), (K.SUSPENSION, "0"),
                       (K.FINE, "1.50"), (K.FINE, "0.25")):
        b.action(first, kind, fine=fine)
    second = b.inspection(w.unit_a, w.enterprise_a2, cst(9, 15), team=team_a2, inspectors=[w.inspector_a, wang])
    b.hazard(second, GENERAL, closed=cst(9, 20))
    for kind, fine in ((K.SUSPENSION, "0"), (K.CLOSURE, "0"), (K.LICENCE, "0"), (K.OTHER, "0"), (K.FINE, "0.10")):
        b.action(second, kind, fine=fine)
    without_team = b.inspection(w.unit_a, w.enterprise_a, cst(9, 20), inspectors=[li])
    b.hazard(without_team, GENERAL)
    b.action(without_team, K.DOCUMENT)
    # Outside the period, a draft, and a self-inspection: they count nowhere.
    before = b.inspection(w.unit_a, w.enterprise_b, cst(8, 31, 23, 30), team=team_a3, inspectors=[zhao])
    b.hazard(before, GENERAL, closed=cst(9, 5))
    b.action(before, K.FINE, fine="9.99")
    after = b.inspection(w.unit_a, w.enterprise_b, cst(10, 1, 0, 10), team=team_a3, inspectors=[zhao])
    b.hazard(after, MAJOR)
    b.action(after, K.CLOSURE)
    draft = b.inspection(w.unit_a, w.enterprise_b, cst(9, 10), team=team_a3, inspectors=[zhao], draft=True)
    b.db.add(Hazard(inspection_id=draft.id, enterprise_id=w.enterprise_b.id, level=MAJOR, description="草稿",
                    deadline=date(2021, 12, 31), responsible_person="x"))
    b.action(draft, K.DOCUMENT)
    self_check = b.inspection(None, w.enterprise_a, cst(9, 8), mode=InspectionMode.SELF_CHECK)
    b.hazard(self_check, GENERAL, closed=cst(9, 9))
    b.hazard(self_check, MAJOR)

    # 榆次区安委办: 1 team, 2 people, enterprise {a2}; a major hazard closed; a closure of a2; two others.
    committee = b.inspection(committee_a, w.enterprise_a2, cst(9, 5), team=team_c, inspectors=[w.county_admin_a, zhou])
    b.hazard(committee, MAJOR, closed=cst(9, 6))
    for kind in (K.CLOSURE, K.OTHER, K.OTHER):
        b.action(committee, kind)

    # 太谷区住建局, at the last minute of the period: a general hazard closed 30 seconds after it.
    last_minute = b.inspection(w.unit_b, w.enterprise_b, cst(9, 30, 23, 59), team=team_b, inspectors=[w.inspector_b])
    b.hazard(last_minute, GENERAL, closed=cst(10, 1, 0, 0, 30))
    b.action(last_minute, K.FINE, fine="2.00")

    # The city's committee: a surprise check with an open major hazard and a document.
    surprise = b.inspection(w.city_unit, w.enterprise_b, cst(9, 12), team=team_city, inspectors=[w.city_admin],
                            mode=InspectionMode.SURPRISE)
    b.hazard(surprise, MAJOR)
    b.action(surprise, K.DOCUMENT)
    # 市住建局: a spot check without a team; its general hazard is closed in the period.
    spot = b.inspection(city_housing, w.enterprise_a, cst(9, 25), inspectors=[city_inspector],
                        mode=InspectionMode.CITY_SPOT)
    b.hazard(spot, GENERAL, closed=cst(9, 28))
    b.kept()
    db.commit()
    return {"emergency_a": emergency_a, "city_emergency": city_emergency}


def cells(row) -> tuple:
    return (row.name, *row.figures)


D = Decimal
COUNTY_A_ROWS = [
    # name, teams, people, enterprises, general found/closed, major found/closed,
    # documents, suspensions, fines, licences, closures, other
    ("榆次区安委办", 1, 2, 1, 0, 0, 1, 1, 0, 0, D("0.00"), 0, 1, 2),
    ("榆次区住建局", 2, 3, 2, 4, 2, 2, 1, 3, 2, D("1.85"), 1, 1, 1),
    ("榆次区应急管理局", 0, 0, 0, 0, 0, 0, 0, 0, 0, D("0.00"), 0, 0, 0),
]
COUNTY_A_TOTAL = ("合计", 3, 5, 3, 4, 2, 3, 2, 3, 2, D("1.85"), 1, 2, 3)
COUNTY_B_TOTAL = ("太谷区", 1, 1, 1, 1, 0, 0, 0, 0, 0, D("2.00"), 0, 0, 0)
CITY_ROWS = [
    ("榆次区", *COUNTY_A_TOTAL[1:]),
    COUNTY_B_TOTAL,
    ("晋中市安委办", 1, 1, 1, 0, 0, 1, 0, 1, 0, D("0.00"), 0, 0, 0),
    ("市住建局", 0, 0, 1, 1, 1, 0, 0, 0, 0, D("0.00"), 0, 0, 0),
    ("市应急管理局", 0, 0, 0, 0, 0, 0, 0, 0, 0, D("0.00"), 0, 0, 0),
]
CITY_TOTAL = ("合计", 5, 7, 6, 6, 3, 4, 2, 4, 2, D("3.85"), 1, 2, 3)


def test_every_cell_of_the_county_table_matches_the_figures_worked_out_by_hand(db, world, data):
    table = statistics.county_table(db, world.county_a, START, END)
    assert table.title == "榆次区安全检查督导情况统计表"
    assert table.period_text == "统计时间：2021年9月1日至2021年9月30日"
    assert [cells(row) for row in table.rows] == COUNTY_A_ROWS
    assert cells(table.total) == COUNTY_A_TOTAL
    assert all(isinstance(row.fines_wan, Decimal) for row in [*table.rows, table.total])


def test_every_cell_of_the_city_table_matches_the_figures_worked_out_by_hand(db, world, data):
    table = statistics.city_table(db, START, END)
    assert table.title == "全市安全检查督导情况统计表"
    assert [cells(row) for row in table.rows] == CITY_ROWS
    assert cells(table.total) == CITY_TOTAL


def test_a_county_row_of_the_city_table_is_that_countys_total(db, world, data):
    county = statistics.county_table(db, world.county_a, START, END)
    city = statistics.city_table(db, START, END)
    assert city.rows[0].figures == county.total.figures and city.rows[0].county_id == world.county_a.id


def test_the_city_committee_row_appears_only_when_it_has_figures(db, world, data):
    names = [row.name for row in statistics.city_table(db, date(2021, 11, 1), date(2021, 11, 30)).rows]
    assert names == ["榆次区", "太谷区", "市住建局", "市应急管理局"]


def test_the_period_is_counted_in_china_standard_time(db, world, data):
    first_day = statistics.county_table(db, world.county_a, START, START)  # only the inspection at 00:30 CST
    # ...and none of its hazards was closed by the end of 1 September.
    assert cells(first_day.rows[1]) == ("榆次区住建局", 1, 2, 1, 2, 0, 2, 0, 2, 1, D("1.75"), 0, 0, 0)
    day_before = statistics.county_table(db, world.county_a, date(2021, 8, 31), date(2021, 8, 31))
    assert day_before.rows[1].inspected == 1 and day_before.rows[1].fines_wan == D("9.99")


# Random small worlds: whatever is recorded, 整改 never exceeds 排查 and 合计 is the sum of the rows.

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
hazards_strategy = st.lists(st.tuples(st.sampled_from(list(HazardLevel)), st.none() | st.integers(0, 12)), max_size=3)
actions_strategy = st.lists(
    st.tuples(st.sampled_from(list(EnforcementKind)), st.integers(0, 2), st.decimals("0", "50", places=2)),
    max_size=3,
)
inspections_strategy = st.lists(
    st.fixed_dictionaries({
        "unit": st.integers(0, 4),  # 4: a self-inspection
        "team": st.booleans(),
        "inspectors": st.sets(st.integers(0, 3), max_size=3),
        "enterprise": st.integers(0, 2),
        "day": st.integers(-3, 33),  # days after 31 August: some fall outside September
        "draft": st.booleans(),
        "hazards": hazards_strategy,
        "actions": actions_strategy,
    }),
    max_size=6,
)


@SETTINGS
@given(inspections=inspections_strategy)
def test_rectified_never_exceeds_found_and_the_total_is_the_sum_of_the_rows(db, world, inspections):
    from datetime import timedelta

    b = Builder(db, world)
    try:
        committee_a = db.scalars(select(Unit).where(Unit.name == "榆次区安委办")).one()
        units = [world.unit_a, committee_a, world.unit_b, world.city_unit]
        teams = [b.team(unit, f"组{number}") for number, unit in enumerate(units)]
        people = [world.inspector_a, world.colleague_a, world.inspector_b, world.city_admin]
        enterprises = [world.enterprise_a, world.enterprise_a2, world.enterprise_b]
        for spec in inspections:
            self_check = spec["unit"] == 4
            at = cst(8, 31) + timedelta(days=spec["day"], hours=spec["day"] % 24)
            inspection = b.inspection(
                None if self_check else units[spec["unit"]], enterprises[spec["enterprise"]], at,
                team=teams[spec["unit"]] if spec["team"] and not self_check else None,
                inspectors=[people[index] for index in sorted(spec["inspectors"])],
                mode=InspectionMode.SELF_CHECK if self_check else InspectionMode.COUNTY_FULL, draft=spec["draft"],
            )
            for level, closed_after in spec["hazards"]:
                closed = None if closed_after is None or spec["draft"] else at + timedelta(days=closed_after)
                b.hazard(inspection, level, closed=closed)
            for kind, enterprise, fine in spec["actions"]:
                b.action(inspection, kind, enterprises[enterprise], fine=str(fine) if kind is K.FINE else "0")
        b.kept()
        county = statistics.county_table(db, world.county_a, START, END)
        city = statistics.city_table(db, START, END)
        for table in (county, city):
            for row in table.rows:
                assert row.general_closed <= row.general_found and row.major_closed <= row.major_found
                assert all(value >= 0 for value in row.figures)
            for index, column in enumerate(statistics.FIGURES):
                assert table.total.figures[index] == sum(
                    (getattr(row, column) for row in table.rows), Decimal(0) if column == "fines_wan" else 0
                ), column
        assert city.rows[0].figures == county.total.figures
    finally:
        db.rollback()


# The xlsx reproduces the attachment of the notice.

HEADER_ROW_3 = ["单位名称", "检查工作开展情况", None, None, None, None, None, None, "查处违法行为情况",
                None, None, None, None, None]
HEADER_ROW_4 = [None, "派出检查组数", "派出检查组人数", "被检查单位", "一般隐患", None, "重大隐患", None,
                "下达执法文书", "停产整顿", "行政处罚款", "暂扣吊销证照", "关闭取缔", "其他"]
HEADER_ROW_5 = [None, None, None, None, "排查", "整改", "排查", "整改", None, None, None, None, None, None]
UNITS_ROW = [None, "(组)", "(人)", "(家)", "(项)", "(项)", "(项)", "(项)", "(份)", "(家)", "(万元)", "(个)", "(家)",
             None]
HEADER_MERGES = {"A1:N1", "A2:N2", "A3:A5", "B3:H3", "I3:N3", "B4:B5", "C4:C5", "D4:D5", "E4:F4", "G4:H4",
                 "I4:I5", "J4:J5", "K4:K5", "L4:L5", "M4:M5", "N4:N5"}
NOTE_LABELS = ["亮点工作（或者本行业特色工作）（50至200字）", "存在问题（每个方面不超过100字）", "备注"]


def values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]][:14]


def check_form(content: bytes, title: str, expected_rows: list[tuple], total: tuple):
    """Open the workbook and compare it with the attachment's layout; return the sheet."""
    sheet = load_workbook(BytesIO(content)).active
    assert sheet["A1"].value == title
    assert sheet["A2"].value == "统计时间：2021年9月1日至2021年9月30日"
    assert values(sheet, 3) == HEADER_ROW_3
    assert values(sheet, 4) == HEADER_ROW_4
    assert values(sheet, 5) == HEADER_ROW_5
    assert values(sheet, 6) == UNITS_ROW
    data_rows = [tuple(values(sheet, 7 + index)) for index in range(len(expected_rows) + 1)]
    assert data_rows == [
        tuple(float(value) if isinstance(value, Decimal) else value for value in row)
        for row in [*expected_rows, total]
    ]
    notes = 7 + len(expected_rows) + 1
    assert [sheet.cell(notes + index, 1).value for index in range(3)] == NOTE_LABELS
    merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
    assert merged == HEADER_MERGES | {f"B{notes + index}:N{notes + index}" for index in range(3)}
    assert sheet.max_row == notes + 2
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 1)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    for row in (3, 6, 7, notes + 2):  # thin lines all round, merged cells included
        borders = [sheet.cell(row, column).border for column in range(1, 15)]
        assert all(border.top.style == border.bottom.style == "thin" for border in borders)
        assert borders[0].left.style == borders[-1].right.style == "thin"
    return sheet


def test_the_county_xlsx_downloaded_reproduces_the_attachment(login, world, data):
    response = login("admin_a").get(f"/tables.xlsx?county={world.county_a.id}&from=2021-09-01&to=2021-09-30")
    assert response.status_code == 200
    assert "statistics-140702-20210901-20210930.xlsx" in response.headers["Content-Disposition"]
    check_form(response.data, "榆次区安全检查督导情况统计表", COUNTY_A_ROWS, COUNTY_A_TOTAL)


def test_the_city_xlsx_written_by_the_command_reproduces_the_attachment(app, world, data, tmp_path):
    output = tmp_path / "city.xlsx"
    result = app.test_cli_runner().invoke(
        args=["export-table", "--city", "--from", "2021-09-01", "--to", "2021-09-30", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    check_form(output.read_bytes(), "全市安全检查督导情况统计表", CITY_ROWS, CITY_TOTAL)


def test_the_command_writes_a_countys_table_by_its_name(app, world, data, tmp_path):
    output = tmp_path / "county.xlsx"
    result = app.test_cli_runner().invoke(
        args=["export-table", "--county", "榆次区", "--from", "2021-09-01", "--to", "2021-09-30", "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    check_form(output.read_bytes(), "榆次区安全检查督导情况统计表", COUNTY_A_ROWS, COUNTY_A_TOTAL)


@pytest.mark.parametrize("args, message", [
    (["--county", "无此县", "--from", "2021-09-01", "--to", "2021-09-30"], "no county named 无此县"),
    (["--city", "--from", "2021-09-31", "--to", "2021-10-01"], "'--from'"),
    (["--city", "--from", "2021-10-01", "--to", "2021-09-01"], "is after --to"),
    (["--from", "2021-09-01", "--to", "2021-09-30"], "either --county NAME or --city"),
    (["--city", "--county", "榆次区", "--from", "2021-09-01", "--to", "2021-09-30"], "either --county"),
])
def test_the_command_refuses_bad_arguments_with_a_clear_message(app, world, tmp_path, args, message):
    output = tmp_path / "never.xlsx"
    result = app.test_cli_runner().invoke(args=["export-table", *args, "-o", str(output)])
    assert result.exit_code != 0 and message in result.output
    assert not output.exists()


def test_the_texts_go_under_the_table_and_a_formula_stays_text(login, world, data, db):
    admin = login("admin_a")
    highlights = ("推行“日检查、日通报”，县安委办牵头组成督导组深入企业一线，"
                  "对重点行业领域开展交叉检查和明查暗访，发现问题当场交办。")
    response = admin.post("/tables/note", {
        **PERIOD, "highlights": highlights, "problems": "部分企业自查流于形式\n\n 个别部门检查频次不足 ",
        "remarks": "=HYPERLINK(\"http://x\")",
    })
    assert response.status_code == 302
    note = db.scalars(select(TableNote)).one()
    assert note.unit.name == "榆次区安委办" and (note.starts_on, note.ends_on) == (START, END)
    assert note.problems == "部分企业自查流于形式\n个别部门检查频次不足"
    content = admin.get(f"/tables.xlsx?county={world.county_a.id}&from=2021-09-01&to=2021-09-30").data
    sheet = load_workbook(BytesIO(content)).active
    notes = 7 + len(COUNTY_A_ROWS) + 1
    assert sheet.cell(notes, 2).value == highlights
    assert sheet.cell(notes + 1, 2).value == "部分企业自查流于形式\n个别部门检查频次不足"
    remarks = sheet.cell(notes + 2, 2)
    assert remarks.value == "=HYPERLINK(\"http://x\")" and remarks.data_type == "s"
    assert highlights in admin.get("/tables?" + "&".join(f"{key}={value}" for key, value in PERIOD.items())).get_data(
        as_text=True)


def test_the_city_writes_its_own_texts_on_its_committee(login, world, db):
    response = login("city").post("/tables/note", {**PERIOD, "highlights": "市" * 60, "problems": ""})
    assert response.status_code == 302
    assert db.scalars(select(TableNote)).one().unit_id == world.city_unit.id


# The notice's limits on the texts, counted in characters without whitespace.

@pytest.mark.parametrize("count, accepted", [(49, False), (50, True), (200, True), (201, False)])
def test_highlights_must_have_50_to_200_characters(login, world, db, count, accepted):
    response = login("admin_a").english().post("/tables/note", {**PERIOD, "highlights": "亮" * count})
    assert (response.status_code == 302) is accepted
    assert (db.scalars(select(TableNote)).first() is not None) is accepted
    if not accepted:
        assert f"you entered {count}." in response.get_data(as_text=True)


def test_whitespace_is_not_counted_in_the_highlights():
    assert statistics.check_highlights("亮" * 49 + " \n\t　") != []
    assert statistics.check_highlights(" 亮" * 50) == []


def test_a_problem_of_101_characters_is_refused_with_its_number(login, world, db):
    problems = "甲" * 100 + "\n" + "乙" * 101
    client = login("admin_a").english()
    response = client.post("/tables/note", {**PERIOD, "highlights": "亮" * 60, "problems": problems})
    assert response.status_code == 422
    assert "Problem 2 has 101 characters" in response.get_data(as_text=True)
    assert "Problem 1 " not in response.get_data(as_text=True)
    assert db.scalars(select(TableNote)).first() is None


def test_check_note_lists_every_fault():
    messages = [str(message) for message in statistics.check_note("短", "乙" * 101 + "\n甲\n" + "丙" * 120)]
    assert len(messages) == 3
    assert "you entered 1." in messages[0]
    assert messages[1].startswith("Problem 1 has 101") and messages[2].startswith("Problem 3 has 120")


def test_a_note_whose_period_ends_before_it_starts_is_refused(login, world, db):
    response = login("admin_a").post("/tables/note", {"from": "2021-09-30", "to": "2021-09-01",
                                                       "highlights": "亮" * 60})
    assert response.status_code == 422 and db.scalars(select(TableNote)).first() is None


# The page and who may see it.

def test_the_county_admin_sees_the_county_table_in_a_scrolling_box(login, world, data):
    page = login("admin_a").get("/tables?from=2021-09-01&to=2021-09-30").get_data(as_text=True)
    assert 'class="table-scroll"' in page and "榆次区应急管理局" in page and "太谷区住建局" not in page
    assert "1.85" in page and 'id="note-form"' in page
    assert f"/tables.xlsx?county={world.county_a.id}&amp;from=2021-09-01&amp;to=2021-09-30" in page


def test_the_period_defaults_to_the_running_campaign_until_today(login, world, db):
    campaign = db.scalars(select(Campaign)).one()
    page = login("admin_a").get("/tables").get_data(as_text=True)
    assert f'value="{campaign.starts_on.isoformat()}"' in page


def test_a_bad_period_is_reported_on_the_page(login, world):
    page = login("admin_a").english().get("/tables?from=2021-09-30&to=2021-09-01").get_data(as_text=True)
    assert "The period ends before it starts." in page


def test_the_city_admin_sees_the_city_table_and_can_choose_a_county(login, world, data):
    city = login("city")
    page = city.get("/tables?from=2021-09-01&to=2021-09-30").get_data(as_text=True)
    assert "榆次区" in page and "太谷区" in page and "市应急管理局" in page and 'name="county"' in page
    assert "scope=city" in page and 'id="note-form"' in page
    county_page = city.get(f"/tables?county={world.county_a.id}&from=2021-09-01&to=2021-09-30")
    assert county_page.status_code == 200 and "榆次区住建局" in county_page.get_data(as_text=True)
    assert 'id="note-form"' not in county_page.get_data(as_text=True)  # the county writes its own texts
    assert city.get("/tables.xlsx?scope=city&from=2021-09-01&to=2021-09-30").status_code == 200


@pytest.mark.parametrize("username", ["insp_a", "91140702MA0K000013"])
@pytest.mark.parametrize("method, url", [
    ("get", "/tables"), ("get", "/tables.xlsx?scope=city"), ("post", "/tables/note"),
])
def test_inspectors_and_enterprises_are_refused(login, world, username, method, url):
    client = login(username)
    response = client.post(url, {**PERIOD, "highlights": "亮" * 60}) if method == "post" else client.get(url)
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/tables?county={a}", "/tables.xlsx?county={a}", "/tables?scope=city",
                                 "/tables.xlsx?scope=city"])
def test_a_county_admin_cannot_see_another_countys_table_nor_the_citys(login, world, url):
    client = login("admin_b")
    assert client.get(url.format(a=world.county_a.id)).status_code == 403
    assert client.get(f"/tables?county={world.county_b.id}").status_code == 200


def test_a_county_admin_writes_the_texts_of_its_own_county_only(login, world, db):
    response = login("admin_b").post("/tables/note", {**PERIOD, "highlights": "太" * 60,
                                                       "county": world.county_a.id})
    assert response.status_code == 302
    assert db.scalars(select(TableNote)).one().unit_id == world.county_admin_b.unit_id
