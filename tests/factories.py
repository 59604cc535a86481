"""Small factories for the records the tests build directly: users, units, enterprises, ids.

The shared `world` fixture (conftest.py) is made with these; tests that need a record more call them too.
Each adds to the session and returns the record; the caller flushes or commits.
"""

import random
import uuid

from werkzeug.security import generate_password_hash

from checklist import credit_code
from checklist.models import County, Enterprise, Role, Sector, Unit, UnitKind, User

PASSWORD = "secret-pass"
PASSWORD_HASH = generate_password_hash(PASSWORD)  # hashed once: scrypt is slow on purpose


def new_uuid() -> str:
    """A client-made UUID, as a phone makes one for each record."""
    return str(uuid.uuid4())


def add_user(db, username, role, name, unit=None, enterprise=None) -> User:
    """A user who logs in with PASSWORD."""
    user = User(username=username, name=name, role=role, unit=unit, enterprise=enterprise, password_hash=PASSWORD_HASH)
    db.add(user)
    return user


def add_inspector(db, username, unit, name=None) -> User:
    return add_user(db, username, Role.INSPECTOR, name or username, unit=unit)


def add_unit(db, name, kind=UnitKind.DEPARTMENT, county: County | None = None, **fields) -> Unit:
    """A department (or, with kind, a committee office) of a county, or of the city when county is None."""
    unit = Unit(name=name, kind=kind, county=county, **fields)
    db.add(unit)
    return unit


def add_enterprise(db, name, county: County, sector: Sector, code: str | None = None, **fields) -> Enterprise:
    """An enterprise of the roster; without a code, a valid credit code of the county is made up."""
    code = code or credit_code.generate(county.code, random.Random())
    enterprise = Enterprise(name=name, credit_code=code, county=county, sector=sector, **fields)
    db.add(enterprise)
    return enterprise
