from odoo import fields, models

from .constants import FOLLOWUP_KINDS, FOLLOWUP_OUTCOMES, SATISFACTION_LEVELS


class CsFollowup(models.Model):
    """A planned contact with a customer: call, visit, video call or message."""

    _name = "cs.followup"
    _description = "Customer Follow-up"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "planned_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Subject", required=True, tracking=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="restrict",
    )
    kind = fields.Selection(
        FOLLOWUP_KINDS, required=True, default="phone", tracking=True
    )
    planned_date = fields.Date(required=True, tracking=True, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.user,
    )
    done_date = fields.Date(tracking=True, copy=False)
    outcome = fields.Selection(FOLLOWUP_OUTCOMES, tracking=True, copy=False)
    satisfaction = fields.Selection(SATISFACTION_LEVELS, copy=False)
    notes = fields.Html()
    next_action = fields.Char()
    complaint_id = fields.Many2one(
        "cs.complaint",
        string="After Complaint",
        index="btree_not_null",
        check_company=True,
        help="The resolved complaint this follow-up checks on.",
    )
    segment_id = fields.Many2one(
        "cs.segment",
        string="Planned for Tier",
        help="Tier whose cadence planned this follow-up.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)
