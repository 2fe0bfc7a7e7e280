from odoo import api, models
from odoo.tools import SQL

from .ir_qweb import QwebBatchCache

ACK_BATCH_SIZE = 200


class CsComplaintAcknowledgement(models.AbstractModel):
    """The job that sends the stage mails new complaints await.

    Triggered by the commit that created them (cs_complaint_ack_queue.py),
    and every minute as a fallback: it logs their creation notes and renders
    the queued mails in batches, each as the user who created the
    complaints, and empties the queue.
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
        # each template's body compiled once per language, not per mail
        qweb_cache = QwebBatchCache()
        for (template, user), queued in groups.items():
            # as the complaints' creator, as if logged and rendered at the
            # creation: the same author, language and ``user`` in the template
            self._log_creation_notes(queued, user)
            template.with_user(user).sudo().with_context(
                cs_qweb_batch_cache=qweb_cache
            ).send_mail_batch(queued.ids)
        self._dequeue(complaints)
        return complaints

    @api.model
    def _batch_failed(self, item, error):
        """A mail that cannot be rendered is not retried forever: the
        complaint keeps its creation note and the reason in its chatter."""
        self._log_creation_notes(item, item.create_uid)
        item._message_log(
            body=self.env._(
                "The acknowledgement could not be mailed to the customer: %(reason)s",
                reason=str(error),
            )
        )
        self._dequeue(item)
        return True

    @api.model
    def _log_creation_notes(self, complaints, user):
        """The creation notes the complaints were created without, by
        ``user`` in their language, dated when the complaints were created."""
        creator = complaints.with_user(user).with_context(lang=user.lang).sudo()
        messages = creator._message_log_batch(
            bodies={
                complaint.id: complaint._creation_message() for complaint in creator
            }
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE mail_message message
                   SET date = complaint.create_date
                  FROM cs_complaint complaint
                 WHERE message.id = ANY(%s) AND complaint.id = message.res_id
                """,
                messages.ids,
            )
        )
        messages.invalidate_recordset(["date"])

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
