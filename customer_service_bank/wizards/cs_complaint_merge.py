from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class CsComplaintMerge(models.TransientModel):
    """Merge duplicate complaints into one, keeping every message and file."""

    _name = "cs.complaint.merge"
    _description = "Merge Duplicate Complaints"

    complaint_ids = fields.Many2many(
        "cs.complaint",
        string="Complaints",
        required=True,
        default=lambda self: self._default_complaint_ids(),
    )
    target_id = fields.Many2one(
        "cs.complaint",
        string="Keep",
        required=True,
        domain="[('id', 'in', complaint_ids)]",
        compute="_compute_target_id",
        store=True,
        readonly=False,
        precompute=True,
        help="The complaint that stays open; the others are archived into it.",
    )

    def _default_complaint_ids(self):
        if self.env.context.get("active_model") == "cs.complaint":
            return [(6, 0, self.env.context.get("active_ids", []))]
        return False

    @api.depends("complaint_ids")
    def _compute_target_id(self):
        for wizard in self:
            # _origin: on a new wizard the complaints are new records too
            wizard.target_id = wizard.complaint_ids._origin.sorted("received_date")[:1]

    def action_merge(self):
        self.ensure_one()
        target = self.target_id
        duplicates = self.complaint_ids - target
        if not duplicates or target not in self.complaint_ids:
            raise UserError(_("Choose at least two complaints and the one to keep."))
        if len(self.complaint_ids.partner_id) > 1:
            raise UserError(_("Only complaints of the same customer can be merged."))
        # the kept one too: a merged complaint restored later is no target either
        if self.complaint_ids.merged_into_id:
            raise UserError(_("Some of these complaints were already merged."))
        # moving messages and files is a supervisor's decision the rules allow
        self.env["mail.message"].sudo().search(
            [("model", "=", "cs.complaint"), ("res_id", "in", duplicates.ids)]
        ).write({"res_id": target.id})
        self.env["ir.attachment"].sudo().search(
            [("res_model", "=", "cs.complaint"), ("res_id", "in", duplicates.ids)]
        ).write({"res_id": target.id})
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", "cs.complaint"), ("res_id", "in", duplicates.ids)]
        ).write({"res_id": target.id})
        target.message_subscribe(partner_ids=duplicates.message_partner_ids.ids)
        duplicates.action_ids.write({"complaint_id": target.id})
        duplicates.write({"merged_into_id": target.id, "active": False})
        links = Markup(", ").join(
            Markup('<a href="#" data-oe-model="cs.complaint" data-oe-id="%s">%s</a>')
            % (complaint.id, complaint.name)
            for complaint in duplicates
        )
        target.message_post(
            body=Markup("%s %s") % (_("Merged into this complaint:"), links)
        )
        for duplicate in duplicates:
            duplicate.message_post(
                body=_("Merged into %(complaint)s.", complaint=target.name)
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "cs.complaint",
            "res_id": target.id,
            "view_mode": "form",
        }
