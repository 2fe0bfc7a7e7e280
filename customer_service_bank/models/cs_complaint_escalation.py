from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL

# Escalation levels and whom each level notifies, in order of preference.
ESCALATION_LEVELS = [
    (0, "None"),
    (1, "Handler"),
    (2, "Supervisor"),
    (3, "Manager"),
]
ESCALATION_BATCH_SIZE = 500


def pending_escalations_sql(now):
    """FROM/WHERE of complaints whose status calls for a higher escalation level.

    Selects ``c.id``, ``c.escalation_level`` and the level due as ``due_level``.
    """
    return SQL(
        """
        SELECT c.id, c.escalation_level::int AS level, due.level AS due_level
          FROM cs_complaint c
          JOIN res_company rc ON rc.id = c.company_id
         CROSS JOIN LATERAL (
            SELECT CASE
                WHEN c.deadline_status = 'breached'
                     AND LEAST(c.resolve_deadline,
                               CASE WHEN c.acknowledged_date IS NULL
                                    THEN c.ack_deadline END)
                         <= %(now)s - make_interval(
                                hours => COALESCE(rc.cs_manager_escalation_hours, 0))
                    THEN 3
                WHEN c.deadline_status = 'breached' THEN 2
                ELSE 1
            END AS level
         ) due
         WHERE c.active
           AND c.resolved_date IS NULL
           AND c.deadline_status IN ('at_risk', 'breached')
           AND c.escalation_level::int < due.level
        """,
        now=now,
    )


class CsComplaintEscalation(models.Model):
    """Escalation of complaints at risk or breached, by a scheduled action.

    The deadline cron refreshes the deadline statuses, then, as a batch job
    (``cs.batch.job.mixin``), raises the escalation level of the complaints
    that call for a higher one and tells the handler, the team supervisor or
    the manager, as the level says.
    """

    _name = "cs.complaint"
    _inherit = ["cs.complaint", "cs.batch.job.mixin"]
    # what pending_escalations_sql reads
    _batch_flush_fields = {
        "cs.complaint": [
            "active",
            "company_id",
            "resolved_date",
            "deadline_status",
            "resolve_deadline",
            "acknowledged_date",
            "ack_deadline",
            "escalation_level",
        ],
        "res.company": ["cs_manager_escalation_hours"],
    }

    escalation_level = fields.Selection(
        [(str(level), label) for level, label in ESCALATION_LEVELS],
        default="0",
        readonly=True,
        copy=False,
        help="Raised by the deadline check; each raise is noted in the chatter.",
    )
    escalation_user_id = fields.Many2one(
        "res.users", string="Escalated To", readonly=True, copy=False, tracking=True
    )
    escalation_error = fields.Char(
        readonly=True,
        copy=False,
        help="Why the last escalation could not notify anyone.",
    )

    # ------------------------------------------------------------------
    # scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_deadlines(self, batch_size=ESCALATION_BATCH_SIZE):
        """Refresh deadline statuses, then escalate one batch.

        Statuses change in one set-based UPDATE. Escalations are claimed with
        an UPDATE ... SKIP LOCKED that only raises levels, so a rerun or a
        second worker never escalates a complaint to the same level twice;
        ``ir.cron`` calls again while ``_notify_progress`` reports more.
        """
        self._refresh_deadline_status()
        return self._run_batch_job(batch_size)

    @api.model
    def _batch_remaining(self):
        return self._batch_count(pending_escalations_sql(fields.Datetime.now()))

    @api.model
    def _batch_claim(self, limit):
        """Raise the escalation level of up to ``limit`` complaints, returned.

        Rows another worker holds are skipped, and the level only ever rises.
        """
        rows = self._batch_fetch(
            SQL(
                """
            WITH due AS (%s)
            UPDATE cs_complaint c
               SET escalation_level = due.due_level::varchar
              FROM due
             WHERE c.id = due.id
         RETURNING c.id
            """,
                self._batch_lock_sql(
                    pending_escalations_sql(fields.Datetime.now()),
                    limit,
                    order=SQL("c.id"),
                    of="c",
                ),
            )
        )
        self.invalidate_model(["escalation_level"])
        return self.browse(row[0] for row in rows)

    @api.model
    def _batch_process(self, batch):
        batch._notify_escalation()
        return batch

    @api.model
    def _batch_failed(self, item, error):
        """The claim raised the level: keep the error, the complaint is done."""
        item.escalation_error = str(error)[:250]
        return True

    def _escalation_recipient(self, level):
        """The user a level notifies: handler, supervisor, then manager.

        A missing person hands the escalation to the next level up, or, at
        the top, back down the chain: someone is always told.
        """
        self.ensure_one()
        chain = [self.user_id, self.team_id.supervisor_id, self.team_id.manager_id]
        candidates = chain[level - 1 :] + chain[: level - 1][::-1]
        return next((user for user in candidates if user), self.env["res.users"])

    def _notify_escalation(self):
        """Log, schedule and mail the escalations of ``self`` in batch."""
        activity_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_escalation"
        )
        level_labels = dict(
            self._fields["escalation_level"]._description_selection(self.env)
        )
        status_labels = dict(
            self._fields["deadline_status"]._description_selection(self.env)
        )
        bodies, activities, to_mail = {}, [], self.browse()
        for complaint in self:
            level = int(complaint.escalation_level)
            recipient = complaint._escalation_recipient(level)
            # the note logged below names the recipient: a tracking message per
            # complaint would repeat it and cost two queries each
            complaint.with_context(mail_notrack=True).escalation_user_id = recipient
            notify = recipient and complaint.company_id.cs_escalation_enabled
            status = status_labels[complaint.deadline_status]
            if notify:
                body = _(
                    "Deadline %(status)s: escalated to %(level)s (%(user)s).",
                    status=status,
                    level=level_labels[str(level)],
                    user=recipient.name,
                )
            else:
                body = _(
                    "Deadline %(status)s: escalation level %(level)s, nobody notified.",
                    status=status,
                    level=level_labels[str(level)],
                )
            bodies[complaint.id] = Markup("<p>%s</p>") % body
            if complaint.holiday_missing_years:
                bodies[complaint.id] += Markup("<p>%s</p>") % _(
                    "The calendar has no public holidays for %(years)s: the "
                    "deadline counts weekends only in those years.",
                    years=complaint.holiday_missing_years,
                )
            if notify:
                activities.append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(self._name),
                        "res_id": complaint.id,
                        "activity_type_id": activity_type.id,
                        "summary": _(
                            "%(complaint)s: deadline %(status)s",
                            complaint=complaint.name,
                            status=status,
                        ),
                        "user_id": recipient.id,
                        "date_deadline": fields.Date.context_today(
                            complaint, complaint.resolve_deadline
                        ),
                    }
                )
                to_mail |= complaint
        self._message_log_batch(bodies=bodies)
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            activities
        )
        to_mail._mail_digests("escalated", "escalation_user_id")
        self.escalation_error = False
