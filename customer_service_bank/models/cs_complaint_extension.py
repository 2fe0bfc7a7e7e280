from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class CsComplaintExtension(models.Model):
    """A request to extend a complaint's deadline by a policy's next step.

    Only members of the step's approval group may approve or reject it, and
    only one request per complaint may be pending.
    """

    _name = "cs.complaint.extension"
    _description = "Deadline Extension Request"
    _order = "complaint_id, sequence, id"

    complaint_id = fields.Many2one(
        "cs.complaint", required=True, ondelete="cascade", index=True, readonly=True
    )
    company_id = fields.Many2one(related="complaint_id.company_id", store=True)
    step_id = fields.Many2one(
        "cs.sla.policy.extension",
        string="Extension",
        required=True,
        readonly=True,
        ondelete="restrict",
    )
    sequence = fields.Integer(related="step_id.sequence", store=True)
    group_id = fields.Many2one(related="step_id.group_id", string="To Be Approved By")
    reason = fields.Text(required=True, readonly=True)
    state = fields.Selection(
        [("requested", "Requested"), ("approved", "Approved"), ("refused", "Refused")],
        default="requested",
        required=True,
        readonly=True,
    )
    requested_by_id = fields.Many2one(
        "res.users", default=lambda self: self.env.user, readonly=True, required=True
    )
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decision_date = fields.Datetime(readonly=True)

    @api.constrains("reason")
    def _check_reason(self):
        for request in self:
            if not (request.reason or "").strip():
                raise UserError(_("Explain why the deadline must be extended."))

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        for request in requests:
            complaint = request.complaint_id
            complaint._check_no_pending_extension(exclude=request)
            if request.step_id != complaint._next_extension_step(exclude=request):
                raise UserError(
                    _(
                        "%(step)s is not the next extension of %(complaint)s.",
                        step=request.step_id.name,
                        complaint=complaint.display_name,
                    )
                )
            complaint._message_log(
                body=_(
                    "Extension requested (%(step)s): %(reason)s",
                    step=request.step_id.name,
                    reason=request.reason,
                )
            )
        return requests

    def write(self, vals):
        if {
            "state",
            "decided_by_id",
            "decision_date",
            "step_id",
            "reason",
        } & vals.keys() and not self.env.context.get("cs_extension_decision"):
            raise AccessError(
                _("Extension requests are decided with the Approve and Refuse buttons.")
            )
        return super().write(vals)

    def action_approve(self):
        self._decide("approved")
        # department work is due before the deadline just moved
        self.complaint_id._sync_department_activities()
        for request in self:
            complaint = request.complaint_id
            complaint._message_log(
                body=_(
                    "Extension approved (%(step)s). New deadline: %(deadline)s",
                    step=request.step_id.name,
                    deadline=fields.Datetime.to_string(complaint.resolve_deadline),
                )
            )
            complaint._mail_customer(
                self.env.ref(
                    "customer_service_bank.mail_template_cs_complaint_extension"
                )
            )
        return True

    def action_refuse(self):
        self._decide("refused")
        for request in self:
            request.complaint_id._message_log(
                body=_("Extension refused (%(step)s).", step=request.step_id.name)
            )
        return True

    def _decide(self, state):
        for request in self:
            if request.state != "requested":
                raise UserError(_("This extension request was already decided."))
            if request.step_id.group_id not in self.env.user.groups_id:
                raise AccessError(
                    _(
                        "Only members of %(group)s can decide on this extension.",
                        group=request.step_id.group_id.full_name,
                    )
                )
        self.with_context(cs_extension_decision=True).write(
            {
                "state": state,
                "decided_by_id": self.env.user.id,
                "decision_date": fields.Datetime.now(),
            }
        )
