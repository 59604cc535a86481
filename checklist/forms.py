"""Forms only validate input; who may do what is decided in the rule functions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import UUID, DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .accounts import MIN_PASSWORD_LENGTH
from .models import EnforcementKind, HazardLevel, Outcome


def choices(members) -> list[SelectChoice]:
    """Offer enum members as choices: their value sent, their translated label shown."""
    return [SelectChoice(member.value, member.label) for member in members]


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class StartInspectionForm(FlaskForm):
    client_uuid = HiddenField(validators=[DataRequired(), UUID()])
    mode = RadioField(_l("Inspection mode"), validators=[DataRequired()])
    team = SelectField(_l("Inspection team"), coerce=int, validators=[Optional()])


class ItemForm(FlaskForm):
    outcome = RadioField(_l("Result"), choices=choices(Outcome), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Length(max=1000)])
    photos = MultipleFileField(_l("Photos"))
    level = RadioField(_l("Hazard level"), choices=choices(HazardLevel), default=HazardLevel.GENERAL.value)
    description = TextAreaField(_l("Hazard description"), validators=[Length(max=1000)])
    deadline = DateField(_l("Deadline"), validators=[Optional()])
    responsible_person = StringField(_l("Responsible person"), validators=[Length(max=40)])

    def validate_description(self, field) -> None:
        if self.outcome.data == Outcome.FAIL.value and not field.data.strip():
            raise ValidationError(_l("Describe the hazard found at this item."))

    def validate_responsible_person(self, field) -> None:
        if self.outcome.data == Outcome.FAIL.value and not field.data.strip():
            raise ValidationError(_l("Name the person responsible for the fix."))


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
