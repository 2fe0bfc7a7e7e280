from odoo import _, api, fields, models
from odoo.exceptions import UserError

# what only the buttons and the escalation job write, under WORKFLOW_CONTEXT
WORKFLOW_FIELDS = frozenset(
    {
        "review_state",
        "answer_date",
        "reviewed_by_id",
        "review_date",
        "review_activity_id",
        "escalated_date",
        "escalated_to_id",
        "escalation_error",
    }
)
WORKFLOW_CONTEXT = "cs_action_workflow"
REVIEW_STATES = [
    ("pending", "Awaiting Answer"),
    ("to_review", "Answer to Review"),
    ("accepted", "Answer Accepted"),
]


class CsComplaintAction(models.Model):
    """A corrective or preventive action, possibly owned by another department.

    Its owner gets an activity on the complaint, so cross-department work
    shows up in their own to-do list. Work for another department than the
    complaint team's is due a buffer of working days before the regulatory
    deadline (Settings), follows it when it moves, and comes back as an
    answer the handler accepts or sends back before replying to the
    customer; overdue, it is escalated once to the department's manager
    (cs_complaint_action_escalation.py).
    """

    _name = "cs.complaint.action"
    _description = "Corrective or Preventive Action"
    _order = "is_done, date_deadline, id"
    _check_company_auto = True

    name = fields.Char(string="Description", required=True)
    complaint_id = fields.Many2one(
        "cs.complaint", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    action_type = fields.Selection(
        [("corrective", "Corrective"), ("preventive", "Preventive")],
        string="Type",
        required=True,
        default="corrective",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        domain="[('share', '=', False)]",
    )
    department_id = fields.Many2one("hr.department", check_company=True)
    is_department_work = fields.Boolean(
        string="For Another Department",
        compute="_compute_is_department_work",
        store=True,
        precompute=True,
        help="Owned by another department than the complaint team's: due "
        "before the regulatory deadline, and answered for the handler's review.",
    )
    date_deadline = fields.Date(
        string="Due Date",
        required=True,
        compute="_compute_date_deadline",
        store=True,
        precompute=True,
        readonly=False,
        help="For another department, derived from the complaint's regulatory "
        "deadline minus the working days of Settings, and moved with it.",
    )
    is_done = fields.Boolean(string="Done", readonly=True)
    date_done = fields.Date(readonly=True)
    effectiveness = fields.Selection(
        [
            ("pending", "To Check"),
            ("effective", "Effective"),
            ("ineffective", "Not Effective"),
        ],
        string="Effectiveness Check",
        default="pending",
        required=True,
    )
    effectiveness_note = fields.Text()
    activity_id = fields.Many2one("mail.activity", readonly=True, copy=False)
    answer = fields.Text(
        string="Department's Answer",
        copy=False,
        help="What the department found and did, for the handler to review.",
    )
    answer_date = fields.Datetime(string="Answered On", readonly=True, copy=False)
    review_state = fields.Selection(
        REVIEW_STATES,
        compute="_compute_review_state",
        store=True,
        precompute=True,
        readonly=False,
        copy=False,
        index="btree_not_null",
    )
    review_note = fields.Text(
        string="Reason Sent Back",
        copy=False,
        help="Why the handler sends the answer back to the department.",
    )
    reviewed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    review_date = fields.Datetime(string="Reviewed On", readonly=True, copy=False)
    review_activity_id = fields.Many2one("mail.activity", readonly=True, copy=False)

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------

    @api.depends("department_id", "complaint_id.team_id.department_id")
    def _compute_is_department_work(self):
        for action in self:
            action.is_department_work = bool(
                action.department_id
                and action.department_id != action.complaint_id.team_id.department_id
            )

    @api.depends(
        "department_id",
        "complaint_id.team_id.department_id",
        "complaint_id.resolve_deadline",
    )
    def _compute_date_deadline(self):
        """Department work follows the regulatory deadline; the rest keeps
        the date typed. Done actions keep theirs."""
        for action in self.filtered(lambda action: not action.is_done):
            due = self._department_due_date(action.complaint_id, action.department_id)
            if due:
                action.date_deadline = due

    @api.depends("is_department_work")
    def _compute_review_state(self):
        for action in self:
            if not action.is_department_work:
                action.review_state = False
            elif not action.review_state:
                action.review_state = "pending"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_workflow_write(set().union(*vals_list))
        default_complaint = self.env.context.get("default_complaint_id")
        for vals in vals_list:
            # a date typed for department work gives way to the derived one
            due = self._department_due_date(
                self.env["cs.complaint"].browse(
                    vals.get("complaint_id") or default_complaint
                ),
                self.env["hr.department"].browse(vals.get("department_id")),
            )
            if due:
                vals["date_deadline"] = due
        actions = super().create(vals_list)
        # the owner's rule would otherwise open any complaint an action is put on
        actions.complaint_id.check_access("write")
        actions._schedule_activities()
        for action in actions:
            action.complaint_id._message_log(
                body=_(
                    "Action assigned to %(user)s: %(action)s",
                    user=action.user_id.name,
                    action=action.name,
                )
            )
        return actions

    def write(self, vals):
        self._check_workflow_write(vals.keys())
        if "answer" in vals:
            self._check_answer_editable()
        if vals.get("date_deadline"):
            self._check_due_date_derived(fields.Date.to_date(vals["date_deadline"]))
        result = super().write(vals)
        if "complaint_id" in vals:
            self.complaint_id.check_access("write")
        # a new department or complaint may derive another due date
        if {
            "user_id",
            "date_deadline",
            "name",
            "department_id",
            "complaint_id",
        } & vals.keys():
            self.filtered(lambda action: not action.is_done)._schedule_activities()
        return result

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------

    def action_done(self):
        for action in self:
            if action.is_department_work and action.review_state != "accepted":
                raise UserError(
                    _(
                        "%(action)s is work of %(department)s: it is done once "
                        "the handler accepts its answer.",
                        action=action.name,
                        department=action.department_id.name,
                    )
                )
        self._mark_done()
        return True

    def _mark_done(self):
        for action in self.filtered(lambda action: not action.is_done):
            action.write(
                {"is_done": True, "date_done": fields.Date.context_today(action)}
            )
            if action.activity_id:
                action.activity_id.sudo().action_feedback(feedback=_("Action done."))
            action.complaint_id.sudo()._message_log(
                body=_(
                    "Action done by %(user)s: %(action)s",
                    user=self.env.user.name,
                    action=action.name,
                )
            )

    def action_reopen(self):
        reopened = self.filtered("is_done")
        reopened.write({"is_done": False, "date_done": False})
        reopened.filtered("is_department_work").with_context(
            **{WORKFLOW_CONTEXT: True}
        ).write({"review_state": "pending"})
        self._schedule_activities()
        return True

    def action_submit_answer(self):
        """The department hands its answer to the handler for review."""
        for action in self:
            if not action.is_department_work:
                raise UserError(
                    _(
                        "%(action)s is not work of another department: mark it "
                        "done instead.",
                        action=action.name,
                    )
                )
            if action.review_state != "pending":
                raise UserError(
                    _(
                        "The answer to %(action)s was already submitted.",
                        action=action.name,
                    )
                )
            if not (action.answer or "").strip():
                raise UserError(
                    _(
                        "Write the department's answer to %(action)s before "
                        "submitting it.",
                        action=action.name,
                    )
                )
        self.with_context(**{WORKFLOW_CONTEXT: True}).write(
            {
                "review_state": "to_review",
                "answer_date": fields.Datetime.now(),
                "review_note": False,
            }
        )
        activity_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_action"
        )
        for action in self:
            if action.activity_id:
                action.activity_id.sudo().action_feedback(
                    feedback=_("Answer submitted for review.")
                )
                action.activity_id = False
            complaint = action.complaint_id.sudo()
            if complaint.user_id:
                action.with_context(
                    **{WORKFLOW_CONTEXT: True}
                ).review_activity_id = complaint.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=_("Review the answer: %(action)s", action=action.name),
                    user_id=complaint.user_id.id,
                    date_deadline=action.date_deadline,
                )
            complaint._message_log(
                body=_(
                    "%(department)s answered %(action)s: %(answer)s",
                    department=action.department_id.name,
                    action=action.name,
                    answer=action.answer,
                )
            )
        return True

    def action_accept_answer(self):
        """The handler accepts the department's answer: the action is done."""
        self._check_reviewer()
        self._close_review_activities(_("Answer accepted."))
        self.with_context(**{WORKFLOW_CONTEXT: True}).write(
            {
                "review_state": "accepted",
                "reviewed_by_id": self.env.user.id,
                "review_date": fields.Datetime.now(),
            }
        )
        for action in self:
            action.complaint_id.sudo()._message_log(
                body=_(
                    "Answer of %(department)s to %(action)s accepted by %(user)s.",
                    department=action.department_id.name,
                    action=action.name,
                    user=self.env.user.name,
                )
            )
        self._mark_done()
        return True

    def action_send_back(self):
        """The handler sends the answer back, with the reason in
        ``review_note``, for the department to answer again."""
        self._check_reviewer()
        for action in self:
            if not (action.review_note or "").strip():
                raise UserError(
                    _(
                        "Give the reason for sending the answer to %(action)s back.",
                        action=action.name,
                    )
                )
        self._close_review_activities(_("Answer sent back."))
        self.with_context(**{WORKFLOW_CONTEXT: True}).write(
            {
                "review_state": "pending",
                "reviewed_by_id": self.env.user.id,
                "review_date": fields.Datetime.now(),
            }
        )
        for action in self:
            action.complaint_id.sudo()._message_log(
                body=_(
                    "Answer of %(department)s to %(action)s sent back by "
                    "%(user)s: %(reason)s",
                    department=action.department_id.name,
                    action=action.name,
                    user=self.env.user.name,
                    reason=action.review_note,
                )
            )
        # the department's to-do comes back
        self.activity_id = False
        self._schedule_activities()
        return True

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------

    @api.model
    def _department_due_date(self, complaint, department):
        """The internal due date of ``department``'s work on ``complaint``.

        The regulatory deadline's day on the team calendar, moved back by the
        company's buffer of working days (and off a non-working day). False
        for the team's own department, or without a regulatory deadline.
        """
        if (
            not department
            or not complaint
            or department == complaint.team_id.department_id
            or not complaint.resolve_deadline
        ):
            return False
        clock = complaint._deadline_calendar()._cs_working_days()
        return clock.working_days_before(
            clock.local_date(complaint.resolve_deadline),
            complaint.company_id.cs_department_buffer_days,
        )

    def _check_workflow_write(self, field_names):
        if WORKFLOW_FIELDS.intersection(field_names) and not self.env.context.get(
            WORKFLOW_CONTEXT
        ):
            raise UserError(
                _(
                    "Department answers are reviewed, and overdue actions "
                    "escalated, with their buttons and scheduled action only."
                )
            )

    def _check_due_date_derived(self, due):
        """Department work keeps the date derived from the deadline: the
        department it is owed by would otherwise put off its escalation."""
        for action in self.filtered(lambda action: not action.is_done):
            derived = self._department_due_date(
                action.complaint_id, action.department_id
            )
            if derived and derived != due:
                raise UserError(
                    _(
                        "The due date of %(action)s follows the complaint's "
                        "deadline: %(date)s. Request an extension of the "
                        "deadline to move it.",
                        action=action.name,
                        date=fields.Date.to_string(derived),
                    )
                )

    def _check_answer_editable(self):
        for action in self:
            if action.review_state in ("to_review", "accepted"):
                raise UserError(
                    _(
                        "The answer to %(action)s is with the handler: it can "
                        "change once sent back.",
                        action=action.name,
                    )
                )

    def _check_reviewer(self):
        """Only the complaint's handler reviews, and only submitted answers."""
        for action in self:
            if action.review_state != "to_review":
                raise UserError(
                    _(
                        "%(action)s has no answer waiting for review.",
                        action=action.name,
                    )
                )
            if action.complaint_id.user_id != self.env.user:
                raise UserError(
                    _(
                        "Only %(handler)s, who handles %(complaint)s, reviews the "
                        "answers of other departments.",
                        handler=action.complaint_id.user_id.name or _("its handler"),
                        complaint=action.complaint_id.display_name,
                    )
                )

    def _close_review_activities(self, feedback):
        for action in self.filtered("review_activity_id"):
            action.review_activity_id.sudo().action_feedback(feedback=feedback)

    def _sync_activity_dates(self):
        """Move the owners' activities with due dates that moved on their
        own, as department work does with the regulatory deadline."""
        for action in self.filtered(
            lambda action: not action.is_done and action.activity_id.exists()
        ):
            if action.activity_id.date_deadline != action.date_deadline:
                action.activity_id.sudo().date_deadline = action.date_deadline

    def _schedule_activities(self):
        """Give each open action's owner one activity matching the action;
        none while the department's answer is with the handler."""
        activity_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_action"
        )
        for action in self.filtered(
            lambda action: action.review_state not in ("to_review", "accepted")
        ):
            values = {
                "summary": action.name,
                "user_id": action.user_id.id,
                "date_deadline": action.date_deadline,
            }
            if action.activity_id.exists():
                action.activity_id.sudo().write(values)
                continue
            action.activity_id = (
                action.complaint_id.sudo()
                .activity_schedule(activity_type_id=activity_type.id, **values)
                .id
            )
