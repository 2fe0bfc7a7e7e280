from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL


class CsTestBatchJob(models.Model):
    """A row of a batch job that only counts its runs, to test
    ``cs.batch.job.mixin`` apart from any business rule."""

    _name = "cs.test.batch.job"
    _description = "Test Batch Job"
    _inherit = ["cs.batch.job.mixin"]
    _order = "id"
    # what _due_sql reads
    _batch_flush_fields = {"cs.test.batch.job": ["processed"]}

    name = fields.Char(required=True)
    processed = fields.Boolean()
    fail = fields.Boolean(help="Processing this row raises.")
    runs = fields.Integer(help="How many times the row was processed.")
    error = fields.Char()

    @api.constrains("name")
    def _check_name(self):
        for job in self:
            if "invalid" in job.name:
                raise ValidationError(self.env._("%s is invalid.", job.name))

    @api.model
    def _due_sql(self):
        return SQL("SELECT id FROM cs_test_batch_job WHERE processed IS NOT TRUE")

    @api.model
    def _batch_claim(self, limit):
        rows = self._batch_fetch(
            self._batch_lock_sql(self._due_sql(), limit, order=SQL("id"))
        )
        return self.browse(row[0] for row in rows)

    @api.model
    def _batch_process(self, batch):
        for job in batch:
            if job.fail:
                raise RuntimeError(f"{job.name} is broken")
            job.runs += 1
        batch.processed = True
        return batch

    @api.model
    def _batch_remaining(self):
        return self._batch_count(self._due_sql())

    @api.model
    def _batch_failed(self, item, error):
        item.error = str(error)
        return False
