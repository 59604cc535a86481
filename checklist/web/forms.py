"""Forms only validate input; who may do what is decided in the rule functions."""

import uuid
from datetime import date

import flask_wtf
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    UUID,
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from checklist.clock import reporting_window
from checklist.extensions import WTFormsTranslations
from checklist.models import (
    WORKER_REPORT_CONTACT_MAX,
    WORKER_REPORT_PLACE_MAX,
    WORKER_REPORT_TEXT_MAX,
    EnforcementKind,
    HazardLevel,
    InspectionMode,
    MeasureKind,
    Outcome,
    ReviewVerdict,
)
from checklist.presence import FIELDS, Fix, read_fix
from checklist.read.statistics import check_highlights, check_problems
from checklist.rules.accounts import MIN_PASSWORD_LENGTH


class FlaskForm(flask_wtf.FlaskForm):
    """Flask-WTF's form, whose WTForms messages come from catalogues read once (extensions.WTFormsTranslations)."""

    class Meta(flask_wtf.FlaskForm.Meta):
        def get_translations(self, form) -> WTFormsTranslations:
            return WTFormsTranslations()


def outside_reporting_window(day: date) -> str | None:
    """The message refusing a day no report, bulletin or table can be asked for (clock.reporting_window)."""
    first, last = reporting_window()
    if first <= day <= last:
        return None
    return _("Choose a day between %(first)s and %(last)s.", first=first.isoformat(), last=last.isoformat())


def reporting_day(form, field) -> None:
    """A validator of a date field: a day within clock.reporting_window."""
    message = outside_reporting_window(field.data) if field.data else None
    if message:
        raise ValidationError(message)


def choices(members) -> list[SelectChoice]:
    """Offer enum members as choices: their value sent, their translated label shown."""
    return [SelectChoice(member.value, member.label) for member in members]


def named_choices(rows, blank: bool = False) -> list[SelectChoice]:
    """Offer records (counties, sectors) as choices: their id sent, their name shown; blank adds "—" as 0."""
    return [SelectChoice(0, "—")] * blank + [SelectChoice(row.id, row.name) for row in rows]


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PositionFields:
    """Where the phone was, filled in by app.js when the inspector lets the browser tell (checklist/presence.py);
    empty without JavaScript or without a fix. Checked by presence.read_fix as the API's values are."""

    latitude = HiddenField()
    longitude = HiddenField()
    accuracy = HiddenField()
    located_at = HiddenField()
    sent_at = HiddenField()

    def fix(self) -> Fix | None:
        """The position sent, checked (presence.Refused when it is not valid), or None."""
        return read_fix({name: self[name].data for name in FIELDS})


class StartInspectionForm(PositionFields, FlaskForm):
    """The modes and teams offered are the user's; whether one sent may be used is start_inspection's rule."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()])
    mode = RadioField(_l("Inspection mode"), validate_choice=False,
                      validators=[DataRequired(), AnyOf([mode.value for mode in InspectionMode])])
    team = SelectField(_l("Inspection team"), coerce=int, validate_choice=False, validators=[Optional()])


def start_form(modes: list[InspectionMode], teams: list) -> StartInspectionForm:
    """The start form offering these modes and teams, the first of each chosen, with a fresh client UUID."""
    form = StartInspectionForm()
    form.mode.choices = choices(modes)
    if modes and not form.mode.data:
        form.mode.data = modes[0].value
    form.team.choices = [SelectChoice(0, "—")] + [SelectChoice(team.id, team.name) for team in teams]
    if not form.client_uuid.data:
        form.client_uuid.data = str(uuid.uuid4())
    if form.team.data is None and teams:
        form.team.data = teams[0].id
    return form


class DrawForm(FlaskForm):
    """A 双随机 draw: the roster's filter, how many enterprises and inspectors, the seed and the mode."""

    county = SelectField(_l("County"), coerce=int, validate_choice=False, validators=[Optional()])
    sector = SelectField(_l("Sector"), coerce=int, validate_choice=False, validators=[Optional()])
    never_inspected = BooleanField(_l("Never inspected in the campaign"))
    open_major = BooleanField(_l("With a major hazard not closed"))
    overdue = BooleanField(_l("With an overdue hazard"))
    with_counties = BooleanField(_l("Draw the counties' inspectors too (never of the enterprise's own county)"))
    # The numbers' limits are the draw's (checklist.draw): it says what is wrong in its own words.
    enterprises = IntegerField(_l("Enterprises to draw"), validators=[InputRequired(), NumberRange(max=1000)])
    per_task = IntegerField(_l("Inspectors for each"), default=2, validators=[InputRequired(), NumberRange(max=20)])
    seed = IntegerField(_l("Seed"), validators=[InputRequired()])
    mode = RadioField(_l("Inspection mode"), choices=choices([InspectionMode.CITY_SPOT, InspectionMode.SURPRISE]),
                      default=InspectionMode.CITY_SPOT.value, validators=[DataRequired()])


class CrossForm(FlaskForm):
    """交叉检查: a county's team sent to another county's enterprises (of a sector, or all) for a period."""

    team = SelectField(_l("Team"), coerce=int, validate_choice=False, validators=[DataRequired()])
    county = SelectField(_l("To the enterprises of"), coerce=int, validate_choice=False, validators=[DataRequired()])
    sector = SelectField(_l("Sector"), coerce=int, validate_choice=False, validators=[Optional()])
    starts_on = DateField(_l("From"), validators=[DataRequired()])
    ends_on = DateField(_l("To"), validators=[DataRequired()])


class MeasureForm(FlaskForm):
    """A 通报, 曝光 or 约谈 of a unit; the units offered are those the user may inspect."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()])
    unit = SelectField(_l("Unit"), coerce=int, validate_choice=False, validators=[DataRequired()])
    inspection = HiddenField(validators=[Optional()])
    kind = RadioField(_l("Measure"), choices=choices(MeasureKind), validators=[DataRequired()])
    persons = StringField(_l("Officials named or talked to, with their posts"), validators=[Length(max=200)])
    held_on = DateField(_l("Date"), validators=[DataRequired()])
    document_number = StringField(_l("Document number"), validators=[Length(max=60)])
    note = TextAreaField(_l("What it was about"), validators=[Length(max=1000)])


class ItemForm(PositionFields, FlaskForm):
    outcome = RadioField(_l("Result"), choices=choices(Outcome), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)])
    photos = MultipleFileField(_l("Photos"))
    # The marked copies app.js drew (its canvas), each of the photo at that index of marked_for ("0,2"): none
    # without JavaScript, where the photos go up as they are.
    marked = MultipleFileField()
    marked_for = HiddenField(validators=[Length(max=400)])
    level = RadioField(_l("Hazard level"), choices=choices(HazardLevel), default=HazardLevel.GENERAL.value)
    description = TextAreaField(_l("Hazard description"), validators=[Length(max=1000)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    responsible_person = StringField(_l("Responsible person"), validators=[Length(max=40)])


class WorkerReportForm(FlaskForm):
    """A worker's report of a hazard, sent without logging in: what, where, a photo and a contact if they wish."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()])
    description = TextAreaField(_l("What did you see?"),
                                validators=[DataRequired(), Length(max=WORKER_REPORT_TEXT_MAX)])
    place = StringField(_l("Where?"), validators=[DataRequired(), Length(max=WORKER_REPORT_PLACE_MAX)])
    photo = FileField(_l("Photo (optional)"))
    contact = StringField(_l("Your phone or name (optional)"), validators=[Length(max=WORKER_REPORT_CONTACT_MAX)])


class AcceptReportForm(FlaskForm):
    """A worker's report turned into a hazard: what the enterprise is told, and its deadline."""

    level = RadioField(_l("Hazard level"), choices=choices(HazardLevel), default=HazardLevel.GENERAL.value,
                       validators=[DataRequired()])
    description = TextAreaField(_l("Hazard description"), validators=[DataRequired(), Length(max=1000)])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])
    responsible_person = StringField(_l("Responsible person"), validators=[DataRequired(), Length(max=40)])


class DismissReportForm(FlaskForm):
    reason = TextAreaField(_l("Reason for dismissing"), validators=[DataRequired(), Length(max=WORKER_REPORT_TEXT_MAX)])


class EnforcementForm(FlaskForm):
    kind = SelectField(_l("Action"), choices=choices(EnforcementKind), validators=[DataRequired()])
    document_number = StringField(_l("Document number"), validators=[Length(max=60)])
    fine_wan = DecimalField(
        _l("Fine (10,000 yuan)"), places=2, validators=[Optional(), NumberRange(min=0, max=100000)]
    )
    note = StringField(_l("Note"), validators=[Length(max=500)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignForm(FlaskForm):
    """包保: the chosen enterprises (or all the filter shows) to a team's member; who may is assign's rule."""

    enterprises = MultiCheckboxField(_l("Enterprises"), coerce=int, validate_choice=False)
    member = SelectField(_l("Team and person answerable"), validate_choice=False, validators=[DataRequired()])
    scope = StringField(default="chosen", validators=[AnyOf(["chosen", "all"])])  # sent by the button pressed


class ReviewForm(FlaskForm):
    inspectors = MultiCheckboxField(_l("Inspectors who took part"), coerce=int)


class SignForm(FlaskForm):
    signer_name = StringField(_l("Name of the enterprise's representative"), validators=[Length(max=40)])
    signature = HiddenField()
    refused = BooleanField(_l("The representative refused to sign"))


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class ActivationForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=40)])
    code = StringField(_l("Activation code"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("New password"), validators=[
        DataRequired(),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(num)d characters.", num=MIN_PASSWORD_LENGTH)),
        Length(max=200),
    ])
    password_again = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ.")),
    ])


class AccountForm(FlaskForm):
    name = StringField(_l("Name of the person who receives the code"), validators=[Length(max=40)])
    phone = StringField(_l("Phone"), validators=[Length(max=20)])


class FixForm(FlaskForm):
    photos = MultipleFileField(_l("Photos of the fix"))
    note = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=1000)])


class AcceptForm(FlaskForm):
    note = StringField(_l("Note"), validators=[Length(max=500)])


class RejectForm(FlaskForm):
    reason = TextAreaField(_l("Reason for rejecting"), validators=[DataRequired(), Length(max=1000)])


class ExtendForm(FlaskForm):
    deadline = DateField(_l("New deadline"), validators=[DataRequired()])
    reason = StringField(_l("Reason for the extension"), validators=[DataRequired(), Length(max=500)])


class ExtensionRequestForm(FlaskForm):
    deadline = DateField(_l("Rectify by"), validators=[DataRequired()])
    reason = TextAreaField(_l("Why you need more time"), validators=[DataRequired(), Length(max=500)])


class ExtensionDecisionForm(FlaskForm):
    note = StringField(_l("Opinion (required to refuse)"), validators=[Length(max=500)])


class VoidForm(FlaskForm):
    reason = StringField(_l("Reason for voiding"), validators=[DataRequired(), Length(max=300)])


class ReinspectionForm(FlaskForm):
    """A re-inspection (复查): the second officer, then per hazard a verdict, a note, a new deadline and photos
    (fields named after the hazard, added by review_form)."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()])
    second = SelectField(_l("Second officer"), coerce=int, validate_choice=False, validators=[Optional()])

    def verdict_fields(self, hazard_id: int) -> tuple:
        return tuple(self[f"{name}_{hazard_id}"] for name in ("verdict", "note", "deadline", "photos"))


def reinspection_form(hazard_ids: list[int], colleagues: list) -> "ReinspectionForm":
    """The ReinspectionForm of these hazards, offering these colleagues as the second officer."""
    verdicts = [SelectChoice("", _l("Not re-inspected this time"))] + choices(ReviewVerdict)

    class Form(ReinspectionForm):
        pass

    for hazard_id in hazard_ids:
        setattr(Form, f"verdict_{hazard_id}", RadioField(_l("Result"), choices=verdicts, default="",
                                                         validators=[Optional()]))
        setattr(Form, f"note_{hazard_id}", StringField(_l("What you found"), validators=[Length(max=500)]))
        setattr(Form, f"deadline_{hazard_id}", DateField(_l("New deadline"), validators=[Optional()]))
        setattr(Form, f"photos_{hazard_id}", MultipleFileField(_l("Photos")))
    form = Form()
    form.second.choices = [SelectChoice(0, _("(choose)"))] + [
        SelectChoice(user.id, f"{user.name}（{user.card_number or _('no card number')}）") for user in colleagues
    ]
    if not form.is_submitted():
        form.client_uuid.data = str(uuid.uuid4())
    return form


class ListForm(FlaskForm):
    unit = SelectField(_l("Supervising unit"), coerce=int, validators=[DataRequired()])
    deadline = DateField(_l("Supervision deadline"), validators=[DataRequired()])
    note = StringField(_l("Note"), validators=[Length(max=500)])


class LiaisonForm(FlaskForm):
    name = StringField(_l("Liaison"), validators=[DataRequired(), Length(max=40)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=20)])


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=80)])


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=40)])
    phone = StringField(_l("Mobile phone (the user name)"), validators=[DataRequired(), Length(max=20)])
    card_number = StringField(_l("Enforcement card number (optional)"))


class CardNumberForm(FlaskForm):
    """An officer's 执法证号; empty clears it. What a number may hold is rules.teams.set_card_number's."""

    card_number = StringField(_l("Enforcement card number"))


class DocumentHeadingForm(FlaskForm):
    """The heading of a unit's documents; the lengths are checked by rules.teams.set_document_heading."""

    prefix = StringField(_l("Document number prefix"))
    review_bodies = StringField(_l("Administrative review bodies"))
    court = StringField(_l("Court for administrative litigation"))


class DailyReportForm(FlaskForm):
    """The texts of a daily report; its figures come from the data."""

    leadership = TextAreaField(_l("Leaders' performance of duties"), validators=[Length(max=5000)])
    highlights = TextAreaField(_l("Highlights"), validators=[Length(max=5000)])
    problems = TextAreaField(_l("Problems"), validators=[Length(max=5000)])
    typical_cases = TextAreaField(_l("Typical cases"), validators=[Length(max=5000)])


class MonthlyReportForm(FlaskForm):
    """The three parts of a monthly report; their lengths are the rule function's business."""

    highlights = TextAreaField(_l("Highlights"), validators=[Length(max=20000)])
    problems = TextAreaField(_l("Problems"), validators=[Length(max=20000)])
    measures = TextAreaField(_l("Measures"), validators=[Length(max=20000)])


class PeriodForm(FlaskForm):
    """The period of the statistics table, sent as ?from=YYYY-MM-DD&to=YYYY-MM-DD."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    start = DateField(_l("From"), name="from", validators=[DataRequired(), reporting_day])
    end = DateField(_l("To"), name="to", validators=[DataRequired(), reporting_day])

    def validate_end(self, field) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The period ends before it starts."))


class TableNoteForm(FlaskForm):
    """The texts under the statistics table of a period; their limits are statistics.check_note's."""

    start = DateField(name="from", validators=[DataRequired(), reporting_day])  # both rendered hidden: the period shown
    end = DateField(name="to", validators=[DataRequired(), reporting_day])
    highlights = TextAreaField(_l("Highlights (50 to 200 characters)"), validators=[Length(max=2000)])
    problems = TextAreaField(_l("Problems (one per line, each at most 100 characters)"),
                             validators=[Length(max=10000)])
    remarks = TextAreaField(_l("Remarks"), validators=[Length(max=1000)])

    def validate_end(self, field) -> None:
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The period ends before it starts."))

    def validate_highlights(self, field) -> None:

        messages = check_highlights(field.data or "")
        if messages:
            raise ValidationError(messages[0])

    def validate_problems(self, field) -> None:

        field.errors.extend(check_problems(field.data or ""))  # one message per aspect too long, numbered




class RosterImportForm(FlaskForm):
    roster = FileField(_l("Enterprise roster (.xlsx)"), validators=[FileRequired(_l("Choose a file."))])


class TeamImportForm(FlaskForm):
    members = FileField(_l("Team members (.xlsx)"), validators=[FileRequired(_l("Choose a file."))])


class ChecklistImportForm(FlaskForm):
    sector = SelectField(_l("Sector"), coerce=int, validators=[DataRequired()])
    table = FileField(_l("Checklist table (.xlsx)"), validators=[FileRequired(_l("Choose a file."))])
