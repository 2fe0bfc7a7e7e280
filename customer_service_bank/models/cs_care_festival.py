from datetime import timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays as pyholidays

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .holidays_package import check_holiday_subdivision

MAX_OFFSET_DAYS = 30
# holiday names quoted in the error of an unknown key
_KNOWN_NAMES_SHOWN = 20


@lru_cache(maxsize=512)
def _holiday_first_days(code, subdivision, year):
    """{English name: first day} of the holidays of a country's ``year``, in
    date order.

    Every category the package has for the country counts (public and, for
    mainland China, half-day holidays such as International Women's Day), and
    no observed day: a festival is the holiday itself, not the day off given
    for it. Empty when the package knows neither the country, its
    subdivision nor the year. The package computes a whole year at once, and
    always the same one, so the result is cached per (country, subdivision,
    year).
    """
    subdivisions = pyholidays.list_supported_countries().get(code)
    if subdivisions is None or (subdivision and subdivision not in subdivisions):
        return MappingProxyType({})
    country = pyholidays.country_holidays(code, subdiv=subdivision)
    if not country.start_year <= year <= country.end_year:
        return MappingProxyType({})
    days = pyholidays.country_holidays(
        code,
        subdiv=subdivision,
        years=year,
        language="en_US",
        categories=country.supported_categories,
        observed=False,
    )
    first_days = {}
    for day in sorted(days):
        # a day with several holidays joins their names: get_list splits them
        for name in days.get_list(day):
            first_days.setdefault(name, day)
    return MappingProxyType(first_days)


class CsCareFestival(models.Model):
    """A festival customers are greeted on, dated each year by the holidays package.

    The date of a year is the first day of the package's holiday named
    ``holiday_key`` (its English name) for the country and subdivision, moved
    by ``offset_days``: lunar festivals such as the Spring Festival are never
    typed in by hand.
    """

    _name = "cs.care.festival"
    _description = "Customer Care Festival"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    country_id = fields.Many2one(
        "res.country",
        required=True,
        help="Country whose holidays, in the holidays package, date the festival.",
    )
    subdivision = fields.Char(
        help="Code of the region whose holidays apply, as the holidays package "
        "knows it: ENG for England, SCT for Scotland, and so on. Leave empty "
        "for the country's own holidays.",
    )
    holiday_key = fields.Char(
        string="Holiday",
        required=True,
        help="English name of the holiday in the holidays package, such as "
        '"Chinese New Year (Spring Festival)", "Mid-Autumn Festival" or '
        '"Christmas Day". A holiday of several days is dated by its first day.',
    )
    offset_days = fields.Integer(
        string="Offset (days)",
        help="Days from the holiday to the festival's date: -1 for the day "
        "before, 0 for the day itself.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the festival with every company."
    )
    color = fields.Integer()
    next_date = fields.Date(
        compute="_compute_next_date",
        help="The festival's next date from today, the offset included.",
    )
    next_year_date = fields.Date(
        string="Next Year",
        compute="_compute_next_date",
        help="The festival's date next year, the offset included.",
    )

    @api.constrains("country_id", "subdivision", "holiday_key", "offset_days")
    def _check_holiday_key(self):
        supported = pyholidays.list_supported_countries()
        year = fields.Date.context_today(self).year
        for festival in self:
            code = festival.country_id.code
            if code not in supported:
                raise ValidationError(
                    self.env._(
                        "The holidays package does not know the holidays of "
                        "%(country)s.",
                        country=festival.country_id.name,
                    )
                )
            if festival.subdivision:
                check_holiday_subdivision(
                    self.env, festival.country_id, festival.subdivision
                )
            if abs(festival.offset_days) > MAX_OFFSET_DAYS:
                raise ValidationError(
                    self.env._(
                        "The offset of a festival is at most %(max)s days before "
                        "or after its holiday.",
                        max=MAX_OFFSET_DAYS,
                    )
                )
            days = _holiday_first_days(code, festival.subdivision or None, year)
            if festival.holiday_key not in days:
                known = list(days)
                if len(known) > _KNOWN_NAMES_SHOWN:
                    known = [*known[:_KNOWN_NAMES_SHOWN], "..."]
                raise ValidationError(
                    self.env._(
                        "The holidays package has no holiday named %(key)s for "
                        "%(country)s in %(year)s. Holidays it knows: %(known)s.",
                        key=festival.holiday_key,
                        country=festival.country_id.name,
                        year=year,
                        known=", ".join(known) or self.env._("none"),
                    )
                )

    @api.depends("country_id", "subdivision", "holiday_key", "offset_days")
    @api.depends_context("tz")
    def _compute_next_date(self):
        today = fields.Date.context_today(self)
        # this year's date may be past, and an offset may move a date into
        # the year before or after its holiday's
        years = range(today.year - 1, today.year + 3)
        dates = self._cs_dates(years)
        for festival in self:
            upcoming = [
                day
                for year in years
                if (day := dates.get((festival, year))) and day >= today
            ]
            festival.next_date = min(upcoming, default=False)
            festival.next_year_date = dates.get((festival, today.year + 1)) or False

    def _cs_date(self, year):
        """The festival's date in ``year``, offset included, or None when the
        holidays package has no such holiday that year."""
        self.ensure_one()
        return self._cs_dates([year])[self, year]

    def _cs_dates(self, years):
        """{(festival, year): date or None} for these festivals and ``years``.

        The date is the first day of the festival's holiday in ``year``, moved
        by its offset (so possibly in the year before or after); None when the
        package has no such holiday that year (before the holiday existed, or
        outside the years the package covers).
        """
        years = list(years)
        dates = {}
        for festival in self:
            code = festival.country_id.code
            for year in years:
                day = None
                if code and festival.holiday_key:
                    day = _holiday_first_days(
                        code, festival.subdivision or None, year
                    ).get(festival.holiday_key)
                dates[festival, year] = day and day + timedelta(
                    days=festival.offset_days
                )
        return dates
