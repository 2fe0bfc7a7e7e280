"""What the calendars and the care festivals ask of the ``holidays`` package."""

import holidays as pyholidays

from odoo.exceptions import ValidationError


def check_holiday_subdivision(env, country, subdivision):
    """Refuse a ``subdivision`` the package has no holidays for in ``country``."""
    subdivisions = pyholidays.list_supported_countries().get(country.code, [])
    if subdivision not in subdivisions:
        raise ValidationError(
            env._(
                "%(subdivision)s is not a subdivision of %(country)s with "
                "holidays. Known subdivisions: %(known)s.",
                subdivision=subdivision,
                country=country.name,
                known=", ".join(subdivisions) or env._("none"),
            )
        )
