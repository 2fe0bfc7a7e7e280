from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .constants import CHANNELS, FEEDBACK_KINDS, FEEDBACK_STATES


class CsFeedback(models.Model):
    """What a customer said about the bank: praise, a suggestion or a complaint.

    Informal feedback is kept for quality reviews; when it turns out to be a
    complaint with regulatory deadlines, one click converts it.
    """

    _name = "cs.feedback"
    _description = "Customer Feedback"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Summary", required=True, tracking=True)
    kind = fields.Selection(
        FEEDBACK_KINDS, required=True, default="praise", tracking=True
    )
    channel = fields.Selection(CHANNELS, required=True, default="branch")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        tracking=True,
        check_company=True,
    )
    description = fields.Html()
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        required=True,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    state = fields.Selection(
        FEEDBACK_STATES,
        required=True,
        default="new",
        tracking=True,
        index=True,
        copy=False,
    )
    complaint_id = fields.Many2one(
        "cs.complaint",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The complaint this feedback was converted into.",
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_converted(self):
        if self.filtered("complaint_id"):
            raise UserError(
                _(
                    "Feedback converted to a complaint is kept as the "
                    "complaint's origin and cannot be deleted."
                )
            )

    def action_done(self):
        self.filtered(lambda feedback: feedback.state == "new").state = "done"
        return True

    def action_reopen(self):
        self.filtered(lambda feedback: feedback.state == "done").state = "new"
        return True

    def action_view_complaint(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "cs.complaint",
            "res_id": self.complaint_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_convert_to_complaint(self):
        """Register a complaint from this feedback and open it."""
        self.ensure_one()
        if self.state == "converted" or self.complaint_id:
            raise UserError(
                _(
                    "%(feedback)s was already converted to complaint %(complaint)s.",
                    feedback=self.display_name,
                    complaint=self.complaint_id.display_name or "",
                )
            )
        if not self.partner_id:
            raise UserError(
                _(
                    "Set the customer of %(feedback)s before converting it to a "
                    "complaint.",
                    feedback=self.display_name,
                )
            )
        team = self._complaint_team()
        if not team:
            raise UserError(
                _(
                    "%(feedback)s: no team to handle the complaint. Join a team "
                    "of %(company)s to convert it.",
                    company=self.company_id.name,
                    feedback=self.display_name,
                )
            )
        complaint = (
            self.env["cs.complaint"]
            .with_company(self.company_id)
            .create(
                {
                    "subject": self.name,
                    "partner_id": self.partner_id.id,
                    "channel": self.channel,
                    "description": self.description,
                    "received_date": min(self.date, fields.Datetime.now()),
                    "team_id": team.id,
                    "company_id": self.company_id.id,
                }
            )
        )
        complaint.message_post_with_source(
            "mail.message_origin_link",
            render_values={"self": complaint, "origin": self},
            subtype_xmlid="mail.mt_note",
        )
        self.write({"complaint_id": complaint.id, "state": "converted"})
        return self.action_view_complaint()

    def _complaint_team(self):
        """The converting user's team in the feedback's company, else the team
        of the customer's last complaint there."""
        self.ensure_one()
        team = self.env.user.cs_team_ids.filtered(
            lambda team: team.company_id == self.company_id
        )[:1]
        if team:
            return team
        return (
            self.env["cs.complaint"]
            .search(
                [
                    ("partner_id", "=", self.partner_id.id),
                    ("company_id", "=", self.company_id.id),
                ],
                order="received_date desc, id desc",
                limit=1,
            )
            .team_id
        )
