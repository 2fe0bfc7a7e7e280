from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from .cs_complaint_action import WORKFLOW_CONTEXT

ACTION_ESCALATION_BATCH_SIZE = 500


def overdue_department_actions_sql(now):
    """Department actions past their due date, not answered, not yet escalated.

    Overdue once their due day has passed on the team calendar's clock.
    Selects ``a.id``.
    """
    return SQL(
        """
        SELECT a.id
          FROM cs_complaint_action a
          JOIN cs_complaint c ON c.id = a.complaint_id
          JOIN res_company rc ON rc.id = c.company_id
          LEFT JOIN cs_team t ON t.id = c.team_id
          LEFT JOIN resource_calendar cal
                 ON cal.id = COALESCE(t.resource_calendar_id,
                                      rc.cs_default_calendar_id,
                                      rc.resource_calendar_id)
         WHERE a.is_department_work
           AND a.is_done IS NOT TRUE
           AND a.review_state = 'pending'
           AND a.escalated_date IS NULL
           AND c.active
           AND c.resolved_date IS NULL
           AND a.date_deadline < (
                (%(now)s::timestamp AT TIME ZONE 'UTC')
                AT TIME ZONE COALESCE(cal.tz, 'UTC')
               )::date
        """,
        now=now,
    )


class CsComplaintActionEscalation(models.Model):
    """Escalation of overdue department work to the department's manager.

    A batch job (``cs.batch.job.mixin``) claims the overdue actions with an
    UPDATE ... SKIP LOCKED that stamps them escalated, so a rerun or a second
    worker never escalates an action twice; the manager's user gets an
    activity on the complaint and its chatter says so.
    """

    # one concern a file, as for cs.complaint
    _name = "cs.complaint.action"
    _inherit = ["cs.complaint.action", "cs.batch.job.mixin"]  # pylint: disable=consider-merging-classes-inherited
    # what overdue_department_actions_sql reads
    _batch_flush_fields = {
        "cs.complaint.action": [
            "complaint_id",
            "is_department_work",
            "is_done",
            "review_state",
            "escalated_date",
            "date_deadline",
        ],
        "cs.complaint": ["active", "resolved_date", "company_id", "team_id"],
        "cs.team": ["resource_calendar_id"],
        "res.company": ["cs_default_calendar_id", "resource_calendar_id"],
        "resource.calendar": ["tz"],
    }

    escalated_date = fields.Datetime(
        string="Escalated On",
        readonly=True,
        copy=False,
        help="When the overdue action was escalated to the department's manager.",
    )
    escalated_to_id = fields.Many2one("res.users", readonly=True, copy=False)
    escalation_error = fields.Char(
        readonly=True,
        copy=False,
        help="Why the escalation could not notify the department's manager.",
    )

    # ------------------------------------------------------------------
    # scheduled action
    # ------------------------------------------------------------------

    @api.model
    def _cron_escalate_overdue(self, batch_size=ACTION_ESCALATION_BATCH_SIZE):
        """Escalate one batch of overdue department actions; ``ir.cron``
        calls again while ``_notify_progress`` reports more."""
        return self._run_batch_job(batch_size)

    @api.model
    def _batch_remaining(self):
        return self._batch_count(overdue_department_actions_sql(fields.Datetime.now()))

    @api.model
    def _batch_claim(self, limit):
        """Stamp up to ``limit`` overdue actions escalated, and return them.

        Rows another worker holds are skipped; a stamped action is never due
        again.
        """
        now = fields.Datetime.now()
        rows = self._batch_fetch(
            SQL(
                """
            WITH due AS (%s)
            UPDATE cs_complaint_action a
               SET escalated_date = %s
              FROM due
             WHERE a.id = due.id
         RETURNING a.id
            """,
                self._batch_lock_sql(
                    overdue_department_actions_sql(now),
                    limit,
                    order=SQL("a.date_deadline, a.id"),
                    of="a",
                ),
                now,
            )
        )
        self.invalidate_model(["escalated_date"])
        return self.browse(row[0] for row in rows)

    @api.model
    def _batch_process(self, batch):
        batch._notify_overdue()
        return batch

    @api.model
    def _batch_failed(self, item, error):
        """The claim stamped it: keep the error, the action is done with."""
        item.with_context(**{WORKFLOW_CONTEXT: True}).escalation_error = str(error)[
            :250
        ]
        return True

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    def _notify_overdue(self):
        """Tell each action's department manager, in the complaint's chatter
        and with an activity; without a manager's user, say nobody was."""
        activity_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_escalation"
        )
        complaint_model_id = self.env["ir.model"]._get_id("cs.complaint")
        bodies, overdue = {}, {}
        for action in self:
            department = action.department_id.sudo()
            manager = department.manager_id.user_id
            due = action.date_deadline
            if manager:
                body = self.env._(
                    "%(action)s, due from %(department)s on %(date)s, is overdue: "
                    "escalated to %(manager)s, its manager.",
                    action=action.name,
                    department=department.name,
                    date=fields.Date.to_string(due),
                    manager=manager.name,
                )
                # one activity per manager and complaint: Odoo subscribes
                # each new activity's user on its own, and the same manager
                # twice on one complaint would be inserted twice
                overdue.setdefault(
                    (action.complaint_id.id, manager.id, department.name), []
                ).append(action.name)
            else:
                body = self.env._(
                    "%(action)s, due from %(department)s on %(date)s, is overdue; "
                    "the department has no manager with a user: nobody notified.",
                    action=action.name,
                    department=department.name,
                    date=fields.Date.to_string(due),
                )
            bodies.setdefault(action.complaint_id.id, Markup())
            bodies[action.complaint_id.id] += Markup("<p>%s</p>") % body
            action.with_context(**{WORKFLOW_CONTEXT: True}).write(
                {
                    "escalated_to_id": manager.id,
                    "escalation_error": False
                    if manager
                    else self.env._("The department has no manager with a user."),
                }
            )
        self.complaint_id.sudo()._message_log_batch(bodies=bodies)
        today = fields.Date.context_today(self)
        self.env["mail.activity"].sudo().create(
            [
                {
                    "res_model_id": complaint_model_id,
                    "res_id": complaint_id,
                    "activity_type_id": activity_type.id,
                    "summary": self.env._(
                        "Overdue for %(department)s: %(action)s",
                        department=department,
                        action=", ".join(names),
                    ),
                    "user_id": manager_id,
                    "date_deadline": today,
                }
                for (complaint_id, manager_id, department), names in overdue.items()
            ]
        )
