from odoo import api, fields, models


class EventEvent(models.Model):
    _inherit = "event.event"

    cs_care_campaign_ids = fields.One2many(
        "cs.care.campaign",
        "event_id",
        string="Care Campaigns",
        groups="customer_service_bank.group_cs_agent",
    )
    cs_care_campaign_id = fields.Many2one(
        "cs.care.campaign",
        string="Care Campaign",
        compute="_compute_cs_care_campaign_id",
        groups="customer_service_bank.group_cs_agent",
        help="The appreciation campaign whose customers are invited.",
    )

    @api.depends("cs_care_campaign_ids")
    def _compute_cs_care_campaign_id(self):
        for event in self:
            event.cs_care_campaign_id = event.cs_care_campaign_ids[:1]

    def action_view_cs_care_campaign(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "cs.care.campaign",
            "res_id": self.cs_care_campaign_id.id,
            "views": [(False, "form")],
        }
