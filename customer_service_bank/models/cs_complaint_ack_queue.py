from odoo import api, fields, models

ACK_CRON = "customer_service_bank.ir_cron_cs_complaint_acknowledgements"


class CsComplaintAckQueue(models.Model):
    """The mail of the stage a new complaint enters, queued, not rendered.

    Intake is one complaint per transaction (portal, mail, API, chat), and
    rendering the acknowledgement was most of the cost of each: a new
    complaint only records which template it awaits, in its own INSERT, and
    the commit triggers the acknowledgement job
    (``cs.complaint.acknowledgement``), which logs the creation notes and
    renders the waiting mails in batches within seconds. Stage moves of
    existing complaints still mail at once.
    """

    # one concern a file, by design: see the docstring of cs_complaint.py
    _inherit = "cs.complaint"  # pylint: disable=consider-merging-classes-inherited

    queued_template_id = fields.Many2one(
        "mail.template",
        string="Customer Mail Queued",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The stage mail this new complaint awaits from the "
        "acknowledgement job; empty once it is sent.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        default_stage_id = None
        for vals in vals_list:
            if "stage_id" not in vals and "default_stage_id" not in self.env.context:
                if default_stage_id is None:
                    default_stage_id = self._default_stage_id().id
                vals["stage_id"] = default_stage_id
            stage_id = vals.get("stage_id") or self.env.context.get("default_stage_id")
            template = self.env["cs.complaint.stage"].browse(stage_id).mail_template_id
            if template:
                vals["queued_template_id"] = template.id
        complaints = super().create(vals_list)
        if complaints.filtered("queued_template_id"):
            self._trigger_acknowledgements()
        return complaints

    def _log_creation(self):
        """A complaint awaiting its acknowledgement gets its creation note
        from the job, which dates it at the creation: logging it is as
        costly as the rest of a one-by-one create."""
        waiting = self.filtered("queued_template_id")
        return super(CsComplaintAckQueue, self - waiting)._log_creation()

    def _mail_customer(self, template):
        """Leave to the acknowledgement job the mails queued at creation."""
        to_mail = self.filtered(lambda c: c.queued_template_id != template)
        if not to_mail:
            return None
        return super(CsComplaintAckQueue, to_mail)._mail_customer(template)

    def _trigger_acknowledgements(self):
        """Have the commit of this transaction trigger the job, once."""
        precommit = self.env.cr.precommit
        if not precommit.data.get("cs_acknowledgements_triggered"):
            precommit.data["cs_acknowledgements_triggered"] = True
            # the cached id, not env.ref(), which checks that the cron exists
            cron_id = self.env["ir.model.data"]._xmlid_to_res_id(ACK_CRON)
            precommit.add(self.env["ir.cron"].sudo().browse(cron_id)._trigger)
