import logging
from datetime import date

from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape
from psycopg2.errors import UniqueViolation

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .constants import APPRAISAL_PERIOD_KINDS

_logger = logging.getLogger(__name__)

APPRAISAL_BATCH_SIZE = 200
PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def period_start(kind, day):
    """First day of the ``kind`` period containing ``day``."""
    if kind == "yearly":
        return date(day.year, 1, 1)
    if kind == "quarterly":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, day.month, 1)


class CsAppraisalPeriod(models.Model):
    """A month, quarter or year over which agents are appraised.

    The scheduled action (``_cron_plan_periods``) creates each company's
    current and next period, then, once a period has started, one appraisal
    per active member of every team of its company, batched: appraisals
    are claimed per team with SKIP LOCKED and a unique index on (period,
    team, agent) keeps a second worker or a rerun from creating twice.
    """

    _name = "cs.appraisal.period"
    _description = "Appraisal Period"
    _inherit = ["mail.thread", "cs.batch.job.mixin"]
    _order = "date_from desc, id desc"
    _batch_flush_fields = {
        "cs.appraisal.period": ["state", "date_from", "date_to", "company_id"],
        "cs.appraisal": ["period_id", "team_id", "user_id"],
        "cs.team": ["active", "company_id", "member_ids"],
        "res.users": ["active", "share"],
    }
    _batch_isolation = "none"

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    kind = fields.Selection(
        APPRAISAL_PERIOD_KINDS, required=True, default="quarterly", tracking=True
    )
    date_from = fields.Date(string="Start", required=True, tracking=True)
    date_to = fields.Date(
        string="End",
        compute="_compute_date_to",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
        tracking=True,
    )
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")],
        required=True,
        default="open",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    appraisal_ids = fields.One2many("cs.appraisal", "period_id", string="Appraisals")
    appraisal_count = fields.Integer(compute="_compute_appraisal_count")
    missing_user_ids = fields.Many2many(
        "res.users",
        "cs_appraisal_period_missing_rel",
        "period_id",
        "user_id",
        string="Members Without Employee",
        readonly=True,
        help="Team members who got no appraisal because no employee could be "
        "linked to them; the chatter says why. Fix it, then generate again.",
    )
    calibration_html = fields.Html(
        string="Calibration", compute="_compute_calibration_html", sanitize=False
    )

    _sql_constraints = [
        (
            "period_uniq",
            "unique(company_id, kind, date_from)",
            "A company has one period of each kind starting on a given day.",
        ),
    ]

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for period in self:
            if period.date_to < period.date_from:
                raise ValidationError(
                    self.env._(
                        "The period %(period)s cannot end before it starts.",
                        period=period.display_name,
                    )
                )

    @api.depends("kind", "date_from")
    def _compute_name(self):
        for period in self:
            start = period.date_from
            if not start:
                period.name = False
            elif period.kind == "yearly":
                period.name = str(start.year)
            elif period.kind == "quarterly":
                period.name = f"{start.year} Q{(start.month - 1) // 3 + 1}"
            else:
                period.name = start.strftime("%Y-%m")

    @api.depends("kind", "date_from")
    def _compute_date_to(self):
        for period in self:
            if period.date_from:
                period.date_to = (
                    period.date_from
                    + relativedelta(months=PERIOD_MONTHS[period.kind])
                    - relativedelta(days=1)
                )

    def _compute_appraisal_count(self):
        counts = dict(
            self.env["cs.appraisal"]._read_group(
                [("period_id", "in", self.ids)], ["period_id"], ["__count"]
            )
        )
        for period in self:
            period.appraisal_count = counts.get(period, 0)

    @api.depends("appraisal_ids.band_id", "company_id.cs_appraisal_outlier_points")
    def _compute_calibration_html(self):
        """The band distribution of each team against the bands' targets.

        A share further from its target than the company's tolerance is
        highlighted: too many or too few appraisals in a band for the team.
        """
        groups = self.env["cs.appraisal"]._read_group(
            [("period_id", "in", self.ids), ("band_id", "!=", False)],
            ["period_id", "team_id", "band_id"],
            ["__count"],
        )
        counts = {}
        for period, team, band, count in groups:
            counts.setdefault(period, {}).setdefault(team, {})[band] = count
        bands = self.env["cs.appraisal.band"].search(
            [("company_id", "in", self.company_id.ids)]
        )
        for period in self:
            period.calibration_html = period._calibration_table(
                counts.get(period, {}),
                bands.filtered(lambda b, p=period: b.company_id == p.company_id),
            )

    def _calibration_table(self, team_counts, bands):
        _ = self.env._
        if not team_counts or not bands:
            return Markup("<p class='text-muted'>%s</p>") % _(
                "No appraisal of this period has a rating band yet."
            )
        tolerance = self.company_id.cs_appraisal_outlier_points
        head = Markup("").join(
            Markup("<th class='text-end'>%s<br/><small>%s</small></th>")
            % (band.name, _("target %(share)s%%", share=format(band.target_share, "g")))
            for band in bands
        )
        rows = []
        for team, by_band in sorted(team_counts.items(), key=lambda i: i[0].name):
            total = sum(by_band.values())
            cells = []
            for band in bands:
                count = by_band.get(band, 0)
                share = 100.0 * count / total
                outlier = abs(share - band.target_share) > tolerance
                cells.append(
                    Markup("<td class='text-end %s' title='%s'>%s (%s%%)</td>")
                    % (
                        "table-danger fw-bold cs_calibration_outlier"
                        if outlier
                        else "",
                        _("outside the tolerance") if outlier else "",
                        count,
                        f"{share:.0f}",
                    )
                )
            rows.append(
                Markup("<tr><td>%s</td><td class='text-end'>%s</td>%s</tr>")
                % (team.name, total, Markup("").join(cells))
            )
        return Markup(
            "<table class='table table-sm o_cs_calibration'><thead><tr>"
            "<th>%s</th><th class='text-end'>%s</th>%s</tr></thead>"
            "<tbody>%s</tbody></table>"
        ) % (_("Team"), _("Appraisals"), head, Markup("").join(rows))

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_close(self):
        self.write({"state": "closed"})
        return True

    def action_open(self):
        self.write({"state": "open"})
        return True

    def action_generate_appraisals(self):
        """Create the appraisals still missing in these periods, for the
        members listed without employee too (their cause may be fixed)."""
        if not self.env.user.has_group("customer_service_bank.group_cs_manager"):
            raise UserError(self.env._("Only managers generate appraisals."))
        closed = self.filtered(lambda period: period.state == "closed")
        if closed:
            raise UserError(
                self.env._(
                    "The period %(period)s is closed.", period=closed[0].display_name
                )
            )
        periods = self.sudo()
        periods.missing_user_ids = False
        while periods._run_batch_job(APPRAISAL_BATCH_SIZE, period_ids=tuple(self.ids)):
            pass
        return True

    def action_view_appraisals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_service_bank.cs_appraisal_action"
        )
        action["domain"] = [("period_id", "=", self.id)]
        action["context"] = {"default_period_id": self.id}
        return action

    # ------------------------------------------------------------------
    # scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_plan_periods(self, batch_size=APPRAISAL_BATCH_SIZE):
        """Create the current and next period of every company, then the
        appraisals of the periods that have started."""
        today = fields.Date.context_today(self)
        self._plan_periods(today)
        return self._run_batch_job(batch_size, today=today)

    @api.model
    def _plan_periods(self, today):
        """Each company's period containing ``today`` and the next one."""
        companies = self.env["res.company"].search([])
        wanted = set()
        for company in companies:
            kind = company.cs_appraisal_period_kind
            start = period_start(kind, today)
            wanted.add((company.id, kind, start))
            wanted.add(
                (company.id, kind, start + relativedelta(months=PERIOD_MONTHS[kind]))
            )
        existing = self.search(
            [
                ("company_id", "in", companies.ids),
                ("date_from", "in", [start for _c, _k, start in wanted]),
            ]
        )
        wanted -= {(p.company_id.id, p.kind, p.date_from) for p in existing}
        return self._batch_create_safely(
            [
                {"company_id": company_id, "kind": kind, "date_from": start}
                for company_id, kind, start in sorted(wanted)
            ],
            errors=(UniqueViolation,),
        )

    @api.model
    def _due_appraisals_sql(self, today=None, period_ids=None):
        """FROM/WHERE of the (period, team, member) rows without appraisal:
        periods running on ``today`` or the given ones."""
        if period_ids:
            periods = SQL("p.id IN %s", period_ids)
        else:
            periods = SQL(
                "p.date_from <= %(today)s AND p.date_to >= %(today)s", today=today
            )
        return SQL(
            """
              FROM cs_appraisal_period p
              JOIN cs_team t ON t.company_id = p.company_id AND t.active
              JOIN cs_team_member_rel m ON m.team_id = t.id
              JOIN res_users u ON u.id = m.user_id AND u.active AND NOT u.share
             WHERE p.state = 'open'
               AND %s
               AND NOT EXISTS (
                    SELECT 1 FROM cs_appraisal a
                     WHERE a.period_id = p.id AND a.team_id = t.id
                       AND a.user_id = u.id)
               AND NOT EXISTS (
                    SELECT 1 FROM cs_appraisal_period_missing_rel r
                     WHERE r.period_id = p.id AND r.user_id = u.id)
            """,
            periods,
        )

    @api.model
    def _batch_claim(self, limit, today=None, period_ids=None):
        """Lock the teams of up to ``limit`` due rows (SKIP LOCKED)."""
        return self._batch_fetch(
            self._batch_lock_sql(
                SQL(
                    "SELECT p.id, t.id, u.id %s",
                    self._due_appraisals_sql(today, period_ids),
                ),
                limit,
                order=SQL("p.id, t.id, u.id"),
                of="t",
            )
        )

    @api.model
    def _batch_remaining(self, today=None, period_ids=None):
        return self._batch_count(
            SQL("SELECT 1 %s", self._due_appraisals_sql(today, period_ids))
        )

    @api.model
    def _batch_process(self, rows, today=None, period_ids=None):
        """Create the appraisals of ``rows``, linking employees first."""
        periods = self.browse({row[0] for row in rows})
        teams = self.env["cs.team"].browse({row[1] for row in rows})
        users = self.env["res.users"].browse({row[2] for row in rows})
        employees, missing = self._appraisal_employees(
            {
                (user_id, teams.browse(team_id).company_id)
                for _p, team_id, user_id in rows
            }
        )
        templates = self.env["cs.appraisal.template"]._for_teams(teams)
        vals_list = []
        for period_id, team_id, user_id in rows:
            team = teams.browse(team_id)
            employee = employees.get((user_id, team.company_id.id))
            if not employee:
                continue
            vals_list.append(
                {
                    "period_id": period_id,
                    "team_id": team_id,
                    "user_id": user_id,
                    "employee_id": employee.id,
                    "template_id": templates[team].id,
                    "company_id": team.company_id.id,
                }
            )
        for period in periods:
            period_users = {row[2] for row in rows if row[0] == period.id}
            period._report_missing(
                {
                    (user_id, reason)
                    for (user_id, company_id), reason in missing.items()
                    if company_id == period.company_id.id and user_id in period_users
                }
            )
        users.invalidate_recordset(["employee_ids"])
        return self._batch_create_safely(
            vals_list,
            errors=(UniqueViolation,),
            model=self.env["cs.appraisal"],
            describe=lambda vals: f"user {vals['user_id']} team {vals['team_id']}",
        )

    @api.model
    def _appraisal_employees(self, pairs):
        """The employee of each (user id, company) pair, created when the
        user has none in the company.

        Returns ({(user id, company id): employee}, {(user id, company id):
        reason}) with the reason of each pair left without employee.
        """
        Employee = self.env["hr.employee"].with_context(active_test=False)
        found = Employee.search(
            [
                ("user_id", "in", [user_id for user_id, _c in pairs]),
                ("company_id", "in", list({c.id for _u, c in pairs})),
            ]
        )
        by_pair = {(e.user_id.id, e.company_id.id): e for e in found}
        employees, missing, to_create = {}, {}, []
        users = self.env["res.users"].browse([user_id for user_id, _c in pairs])
        for user_id, company in pairs:
            key = (user_id, company.id)
            employee = by_pair.get(key)
            user = users.browse(user_id)
            if employee and employee.active:
                employees[key] = employee
            elif employee:
                missing[key] = self.env._(
                    "%(user)s's employee %(employee)s is archived: restore it.",
                    user=user.name,
                    employee=employee.name,
                )
            elif company not in user.company_ids:
                missing[key] = self.env._(
                    "%(user)s may not work in %(company)s, so no employee can be "
                    "created for them there.",
                    user=user.name,
                    company=company.name,
                )
            else:
                to_create.append(
                    {
                        "name": user.name,
                        "user_id": user_id,
                        "company_id": company.id,
                        "work_email": user.email,
                    }
                )
        created = self._batch_create_safely(
            # hr.employee's create changes the dictionaries it gets
            [dict(vals) for vals in to_create],
            model=Employee,
            describe=lambda vals: vals["name"],
        )
        for employee in created:
            employees[(employee.user_id.id, employee.company_id.id)] = employee
        for vals in to_create:
            key = (vals["user_id"], vals["company_id"])
            if key not in employees:
                missing[key] = self.env._(
                    "No employee could be created for %(user)s; see the server log.",
                    user=vals["name"],
                )
        return employees, missing

    def _report_missing(self, user_reasons):
        """List members left without appraisal and say why in the chatter."""
        self.ensure_one()
        if not user_reasons:
            return
        self.missing_user_ids = [(4, user_id) for user_id, _r in user_reasons]
        self.message_post(
            body=Markup("%s<ul>%s</ul>")
            % (
                self.env._("These members got no appraisal:"),
                Markup("").join(
                    Markup("<li>%s</li>") % escape(reason)
                    for _u, reason in sorted(user_reasons)
                ),
            )
        )
        _logger.info(
            "Appraisal period %s: %s members without employee",
            self.display_name,
            len(user_reasons),
        )
