from odoo import _, api, fields, models


class CsComplaintAction(models.Model):
    """A corrective or preventive action, possibly owned by another department.

    Its owner gets an activity on the complaint, so cross-department work
    shows up in their own to-do list.
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
    date_deadline = fields.Date(string="Due Date", required=True)
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

    @api.model_create_multi
    def create(self, vals_list):
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
        result = super().write(vals)
        if "complaint_id" in vals:
            self.complaint_id.check_access("write")
        if {"user_id", "date_deadline", "name"} & vals.keys():
            self.filtered(lambda action: not action.is_done)._schedule_activities()
        return result

    def action_done(self):
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
        return True

    def action_reopen(self):
        self.filtered("is_done").write({"is_done": False, "date_done": False})
        self._schedule_activities()
        return True

    def _schedule_activities(self):
        """Give each open action's owner one activity matching the action."""
        activity_type = self.env.ref(
            "customer_service_bank.mail_activity_type_cs_action"
        )
        for action in self:
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
