from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .constants import DEADLINE_STATUSES


def deadline_status_sql(now):
    """The deadline status of record ``c`` at ``now``, as SQL.

    It mirrors CsDeadlineMixin._deadline_status_at(); tests check they agree.
    """
    return SQL(
        """
        CASE
            WHEN c.resolved_date IS NOT NULL THEN
                CASE WHEN c.resolve_deadline IS NULL
                          OR c.resolved_date <= c.resolve_deadline
                     THEN 'met' ELSE 'breached' END
            WHEN c.resolve_deadline < COALESCE(c.paused_since, %(now)s)
                 OR (c.acknowledged_date IS NULL
                     AND c.ack_deadline < COALESCE(c.paused_since, %(now)s))
                THEN 'breached'
            WHEN c.resolve_warning_date <= COALESCE(c.paused_since, %(now)s)
                THEN 'at_risk'
            ELSE 'on_track'
        END
        """,
        now=now,
    )


class CsDeadlineMixin(models.AbstractModel):
    """Deadlines counted on working days from a deadline policy.

    Gives a record its deadline policy, its acknowledgement and resolution
    deadlines (lengthened by pauses and approved extensions), the date it
    turns at risk and its deadline status, kept in the database for
    searching, reporting and escalation. The statuses move with time: the
    deadline cron refreshes them in one UPDATE (``_refresh_deadline_status``).

    The record inheriting it provides ``company_id``, ``team_id`` (whose
    calendar counts the days), ``active``, the dates ``received_date``,
    ``acknowledged_date``, ``resolved_date`` and ``paused_since`` (set while
    the clock is paused), ``stage_log_ids`` (passages with ``stage_kind``,
    ``date_in`` and ``date_out``) and ``extension_ids`` (requests with
    ``sequence``, ``state`` and ``step_id``), and the fields by which
    ``cs.sla.policy._match`` picks its policy. Stored fields keep their
    columns in the record's own table.
    """

    _name = "cs.deadline.mixin"
    _description = "Deadlines"

    sla_policy_id = fields.Many2one(
        "cs.sla.policy",
        string="Deadline Policy",
        tracking=True,
        compute="_compute_sla_policy_id",
        store=True,
        precompute=True,
        readonly=False,
        check_company=True,
    )
    ack_deadline = fields.Datetime(
        string="Acknowledgement Deadline",
        compute="_compute_deadlines",
        store=True,
        precompute=True,
    )
    resolve_deadline = fields.Datetime(
        string="Resolution Deadline",
        compute="_compute_deadlines",
        store=True,
        precompute=True,
        index=True,
        tracking=True,
    )
    resolve_warning_date = fields.Datetime(
        string="At Risk From",
        compute="_compute_deadlines",
        store=True,
        precompute=True,
    )
    holiday_missing_years = fields.Char(
        string="Years Without Public Holidays",
        compute="_compute_deadlines",
        store=True,
        precompute=True,
        help="Years from receipt to the resolution deadline for which the "
        "calendar has no public holidays: the deadline counts only weekends "
        "as days off in them.",
    )
    deadline_status = fields.Selection(
        DEADLINE_STATUSES,
        compute="_compute_deadline_status",
        store=True,
        precompute=True,
        index=True,
        tracking=True,
    )
    deadline_tz = fields.Char(
        compute="_compute_deadline_tz",
        help="Time zone of the calendar the deadlines are counted on.",
    )
    hours_left = fields.Float(
        compute="_compute_hours_left",
        help="Hours until the resolution deadline; negative once breached.",
    )
    next_extension_id = fields.Many2one(
        "cs.sla.policy.extension", compute="_compute_next_extension_id"
    )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------

    @api.depends(
        "company_id", "team_id", "category_id", "channel", "priority", "partner_id"
    )
    def _compute_sla_policy_id(self):
        for complaint, policy in self.env["cs.sla.policy"]._match(self).items():
            complaint.sla_policy_id = policy

    @api.depends(
        "received_date",
        "sla_policy_id",
        "team_id",
        "stage_log_ids.date_out",
        "extension_ids.state",
    )
    def _compute_deadlines(self):
        """Deadlines from the policy, pauses and approved extensions.

        Editing a policy or a calendar does not move the deadlines of
        complaints already received: rules apply from their effective date.
        """
        clocks = {}
        for complaint in self:
            policy = complaint.sla_policy_id
            if not policy or not complaint.received_date:
                complaint.update(
                    {
                        "ack_deadline": False,
                        "resolve_deadline": False,
                        "resolve_warning_date": False,
                        "holiday_missing_years": False,
                    }
                )
                continue
            calendar = complaint._deadline_calendar()
            if calendar not in clocks:
                clocks[calendar] = calendar._cs_working_days()
            clock = clocks[calendar]
            received = complaint.received_date
            # pauses and extensions lengthen the period counted from receipt
            # (15 days extended to 30 in total): a period ending on a
            # non-working day moves forward once, at its very end
            deadline = clock.add(received, policy.resolve_time, policy.resolve_unit)
            units = {policy.resolve_unit}
            if policy.pause_when_awaiting:
                for log in complaint.stage_log_ids:
                    if log.stage_kind == "awaiting" and log.date_out:
                        amount, unit = clock.paused(
                            log.date_in, log.date_out, policy.resolve_unit
                        )
                        deadline = clock.add(deadline, amount, unit)
            for request in complaint.extension_ids.sorted("sequence"):
                if request.state == "approved":
                    step = request.step_id
                    deadline = clock.add(deadline, step.time, step.unit)
                    units.add(step.unit)
            if policy.roll_forward and units != {"hours"}:
                deadline = clock.add(deadline, 0, "calendar_days", roll_forward=True)
            threshold = policy._effective_warning_threshold() / 100
            warning = received + (deadline - received) * threshold
            # hours do not care for holidays, nor do calendar days counted
            # without rolling forward
            missing = (
                clock.years_without_holidays(received, deadline)
                if "working_days" in units
                or policy.ack_unit == "working_days"
                or (policy.roll_forward and units != {"hours"})
                else []
            )
            complaint.update(
                {
                    "ack_deadline": clock.add(
                        received, policy.ack_time, policy.ack_unit, policy.roll_forward
                    )
                    if policy.ack_time
                    else False,
                    "resolve_deadline": deadline,
                    "resolve_warning_date": warning.replace(microsecond=0),
                    "holiday_missing_years": ", ".join(map(str, missing)) or False,
                }
            )

    @api.depends(
        "ack_deadline",
        "resolve_deadline",
        "resolve_warning_date",
        "acknowledged_date",
        "resolved_date",
        "paused_since",
    )
    def _compute_deadline_status(self):
        now = fields.Datetime.now()
        for complaint in self:
            complaint.deadline_status = complaint._deadline_status_at(
                complaint.paused_since or now
            )

    @api.depends("team_id", "company_id")
    def _compute_deadline_tz(self):
        for complaint in self:
            complaint.deadline_tz = complaint._deadline_calendar().tz or "UTC"

    def _compute_hours_left(self):
        now = fields.Datetime.now()
        for complaint in self:
            if complaint.resolve_deadline and not complaint.resolved_date:
                moment = complaint.paused_since or now
                complaint.hours_left = (
                    complaint.resolve_deadline - moment
                ).total_seconds() / 3600
            else:
                complaint.hours_left = 0.0

    @api.depends("sla_policy_id.extension_ids", "extension_ids.state")
    def _compute_next_extension_id(self):
        for complaint in self:
            complaint.next_extension_id = complaint._next_extension_step()

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    def _deadline_fields(self):
        """The stored deadline fields, which stays in stages lengthen."""
        return [
            self._fields[name]
            for name in (
                "ack_deadline",
                "resolve_deadline",
                "resolve_warning_date",
                "holiday_missing_years",
                "deadline_status",
            )
        ]

    def _deadline_calendar(self):
        self.ensure_one()
        return (
            self.team_id._deadline_calendar()
            if self.team_id
            else (
                self.company_id.cs_default_calendar_id
                or self.company_id.resource_calendar_id
            )
        )

    def _deadline_status_at(self, moment):
        """The deadline status at ``moment``; see deadline_status_sql()."""
        self.ensure_one()
        if self.resolved_date:
            on_time = (
                not self.resolve_deadline or self.resolved_date <= self.resolve_deadline
            )
            return "met" if on_time else "breached"
        if not self.resolve_deadline:
            return "on_track"
        ack_missed = (
            not self.acknowledged_date
            and self.ack_deadline
            and self.ack_deadline < moment
        )
        if self.resolve_deadline < moment or ack_missed:
            return "breached"
        if self.resolve_warning_date and self.resolve_warning_date <= moment:
            return "at_risk"
        return "on_track"

    @api.model
    def _refresh_deadline_status(self):
        """Bring every open record's stored deadline status up to now.

        One set-based UPDATE; only the statuses that changed are written.
        """
        self.flush_model()
        status = deadline_status_sql(fields.Datetime.now())
        self.env.cr.execute(
            SQL(
                """
            UPDATE %s c
               SET deadline_status = %s
             WHERE c.active
               AND c.resolved_date IS NULL
               AND c.resolve_deadline IS NOT NULL
               AND c.deadline_status IS DISTINCT FROM %s
            """,
                SQL.identifier(self._table),
                status,
                status,
            )
        )
        self.invalidate_model(["deadline_status"])

    def _pending_extension(self, exclude=None):
        """The extension request awaiting approval, leaving out ``exclude``."""
        self.ensure_one()
        return (self.extension_ids - (exclude or self.extension_ids.browse())).filtered(
            lambda request: request.state == "requested"
        )

    def _check_no_pending_extension(self, exclude=None):
        if self._pending_extension(exclude):
            raise UserError(
                _(
                    "%(complaint)s already has an extension waiting for approval.",
                    complaint=self.display_name,
                )
            )

    def _next_extension_step(self, exclude=None):
        """The policy's first extension step not yet approved, if none is pending.

        ``exclude`` is a request to leave out, such as the one being created.
        """
        self.ensure_one()
        if self._pending_extension(exclude):
            return self.env["cs.sla.policy.extension"]
        approved = self.extension_ids.filtered(
            lambda request: request.state == "approved"
        )
        return (self.sla_policy_id.extension_ids - approved.step_id)[:1]
