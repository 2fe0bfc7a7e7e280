from odoo import Command, api, fields, models
from odoo.tools import SQL

TRAINING_REMINDER_BATCH_SIZE = 200
REMINDER_STATES = [
    ("valid", "Valid"),
    ("expiring", "Expiring within 30 days"),
    ("expired", "Expired"),
    ("missing", "Missing"),
]


class CsTrainingReminder(models.Model):
    """The last mandatory-training state a user was reminded of, per course.

    The reminder job mails the user and their supervisors when the state of
    a mandatory course changes to missing, expiring or expired, and records
    it here: a rerun finds no change and sends nothing. A state back to
    valid is recorded silently, so that a later expiry is reminded again.
    """

    _name = "cs.training.reminder"
    _description = "Training Reminder State"
    _inherit = ["cs.batch.job.mixin"]
    _order = "notified_date desc, id desc"

    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    course_id = fields.Many2one(
        "cs.training.course", required=True, index=True, ondelete="cascade"
    )
    state = fields.Selection(REMINDER_STATES, required=True)
    notified_date = fields.Date(required=True)
    expiry_date = fields.Date(
        compute="_compute_expiry_date",
        help="Expiry of the user's latest completion of the course.",
    )

    _sql_constraints = [
        (
            "user_course_unique",
            "UNIQUE(user_id, course_id)",
            "One reminder state per user and course.",
        ),
    ]

    def _compute_expiry_date(self):
        expiries = {
            (user.id, course.id): expiry
            for user, course, expiry in self.env["cs.training.attendee"]
            .sudo()
            ._read_group(
                [
                    ("user_id", "in", self.user_id.ids),
                    ("course_id", "in", self.course_id.ids),
                    ("passed", "=", True),
                ],
                ["user_id", "course_id"],
                ["expiry_date:max"],
            )
        }
        for reminder in self:
            reminder.expiry_date = expiries.get(
                (reminder.user_id.id, reminder.course_id.id), False
            )

    @api.model
    def _cron_send_reminders(self, batch_size=TRAINING_REMINDER_BATCH_SIZE):
        """Remind users of mandatory training missing, expiring or expired,
        once per change of state, in batches."""
        return self._run_batch_job(batch_size, today=fields.Date.context_today(self))

    @api.model
    def _due_sql(self, today):
        """FROM/WHERE of the (user, course) pairs whose state differs from
        the one last recorded (valid when none)."""
        return SQL(
            """
              FROM (%(states)s) s
              JOIN res_users u ON u.id = s.user_id
              LEFT JOIN cs_training_reminder r
                ON r.user_id = s.user_id AND r.course_id = s.course_id
             WHERE s.state != COALESCE(r.state, 'valid')
            """,
            states=self.env["cs.training.course"]._mandatory_state_sql(today),
        )

    @api.model
    def _batch_flush(self):
        self.env["cs.training.course"]._mandatory_state_flush()
        self.flush_model()
        return super()._batch_flush()

    @api.model
    def _batch_claim(self, limit, today):
        """Lock up to ``limit`` due pairs (their users, SKIP LOCKED).

        Returns (user id, course id, state) rows.
        """
        return self._batch_fetch(
            self._batch_lock_sql(
                SQL("SELECT s.user_id, s.course_id, s.state %s", self._due_sql(today)),
                limit,
                order=SQL("s.user_id, s.course_id"),
                of="u",
            )
        )

    @api.model
    def _batch_remaining(self, today):
        return self._batch_count(SQL("SELECT 1 %s", self._due_sql(today)))

    @api.model
    def _batch_describe(self, item):
        return ", ".join(f"user {row[0]} course {row[1]}" for row in item)

    @api.model
    def _batch_process(self, rows, today):
        """Record each pair's state and mail those not valid."""
        existing = {
            (reminder.user_id.id, reminder.course_id.id): reminder
            for reminder in self.search(
                [
                    ("user_id", "in", [row[0] for row in rows]),
                    ("course_id", "in", [row[1] for row in rows]),
                ]
            )
        }
        supervisors = self._supervisor_partners({row[0] for row in rows})
        for user_id, course_id, state in rows:
            reminder = existing.get((user_id, course_id))
            vals = {"state": state, "notified_date": today}
            if reminder:
                reminder.write(vals)
            else:
                reminder = self.create(
                    vals | {"user_id": user_id, "course_id": course_id}
                )
            if state == "valid":
                continue
            reminder._send_reminder(
                reminder.user_id.partner_id
                | supervisors.get(user_id, self.env["res.partner"])
            )
        return rows

    def _send_reminder(self, recipients):
        """Mail this reminder to ``recipients``."""
        self.ensure_one()
        self.env.ref(
            "customer_service_bank.mail_template_cs_training_reminder"
        ).send_mail(
            self.id, email_values={"recipient_ids": [Command.set(recipients.ids)]}
        )

    @api.model
    def _supervisor_partners(self, user_ids):
        """{user id: partners of the supervisors of the user's active teams}."""
        partners = {}
        teams = self.env["cs.team"].search([("member_ids", "in", list(user_ids))])
        for team in teams:
            for member in team.member_ids:
                if member.id in user_ids and team.supervisor_id:
                    partners[member.id] = (
                        partners.get(member.id, self.env["res.partner"])
                        | team.supervisor_id.partner_id
                    )
        return partners
