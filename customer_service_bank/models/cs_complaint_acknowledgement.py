from odoo import api, models
from odoo.tools import SQL

ACK_BATCH_SIZE = 200


class CsComplaintAcknowledgement(models.AbstractModel):
    """The job that sends the stage mails new complaints await.

    Triggered by the commit that created them (cs_complaint_ack_queue.py),
    and every minute as a fallback: it renders the queued mails in batches,
    each as the user who created the complaints, and empties the queue.
    """

    _name = "cs.complaint.acknowledgement"
    _description = "Complaint Acknowledgement Job"
    _inherit = ["cs.batch.job.mixin"]
    _batch_flush_fields = {"cs.complaint": ["queued_template_id"]}

    @api.model
    def _cron_mail_acknowledgements(self, batch_size=ACK_BATCH_SIZE):
        return self._run_batch_job(batch_size)

    @api.model
    def _queued_sql(self):
        return SQL("SELECT id FROM cs_complaint WHERE queued_template_id IS NOT NULL")

    @api.model
    def _batch_remaining(self):
        return self._batch_count(self._queued_sql())

    @api.model
    def _batch_claim(self, limit):
        rows = self._batch_fetch(
            self._batch_lock_sql(self._queued_sql(), limit, order=SQL("id"))
        )
        return self.env["cs.complaint"].browse(row[0] for row in rows)

    @api.model
    def _batch_process(self, complaints):
        groups = complaints.grouped(lambda c: (c.queued_template_id, c.create_uid))
        for (template, user), queued in groups.items():
            # as the complaints' creator, as the mail was rendered before:
            # the same author and ``user`` in the template
            template.with_user(user).sudo().send_mail_batch(queued.ids)
        self._dequeue(complaints)
        return complaints

    @api.model
    def _batch_failed(self, item, error):
        """A mail that cannot be rendered is logged and not retried forever."""
        self._dequeue(item)
        return True

    @api.model
    def _dequeue(self, complaints):
        # SQL: a sent mail is not a change of the complaint by the job's user
        self.env.cr.execute(
            SQL(
                "UPDATE cs_complaint SET queued_template_id = NULL WHERE id = ANY(%s)",
                complaints.ids,
            )
        )
        complaints.invalidate_recordset(["queued_template_id"])
