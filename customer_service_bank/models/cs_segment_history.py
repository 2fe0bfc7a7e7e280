from odoo import fields, models

from .constants import SEGMENT_CHANGE_CAUSES


class CsSegmentHistory(models.Model):
    """A change of a customer's value tier, written by recomputation or override."""

    _name = "cs.segment.history"
    _description = "Customer Tier History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    old_segment_id = fields.Many2one(
        "cs.segment", string="Old Tier", ondelete="restrict"
    )
    new_segment_id = fields.Many2one(
        "cs.segment", string="New Tier", ondelete="restrict"
    )
    cause = fields.Selection(SEGMENT_CHANGE_CAUSES, required=True)
    reason = fields.Text(help="Reason given for a manual override.")
    user_id = fields.Many2one(
        "res.users", string="Changed By", default=lambda self: self.env.user
    )
    company_id = fields.Many2one(related="partner_id.company_id", store=True)
