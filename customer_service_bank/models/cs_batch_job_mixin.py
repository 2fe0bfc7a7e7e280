import logging

from odoo import api, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class CsBatchJobMixin(models.AbstractModel):
    """A scheduled action that works through its rows one batch per call.

    A job says what to claim (``_batch_claim``), what to do with a batch
    (``_batch_process``) and how much is left (``_batch_remaining``);
    ``_run_batch_job`` claims, processes with failure isolation and reports
    to ``ir.cron._notify_progress``, which calls again while rows remain.
    Claims lock their rows with SKIP LOCKED (``_batch_lock_sql``), so a
    second worker takes other rows, and leave claimed rows no longer due,
    so a rerun finds nothing left to do.
    """

    _name = "cs.batch.job.mixin"
    _description = "Batch Scheduled Action"
    # {model name: fields} the job's SQL reads, flushed before it runs
    _batch_flush_fields = {}
    # "batch": the whole batch in a savepoint, else record by record;
    # "record": record by record from the start, for costly work such as PDFs;
    # "none": the job isolates its own work, as _batch_create_safely does
    _batch_isolation = "batch"

    # ------------------------------------------------------------------
    # template
    # ------------------------------------------------------------------

    @api.model
    def _run_batch_job(self, batch_size, **params):
        """Claim up to ``batch_size`` rows, process them and report progress.

        ``params`` go to every hook. Returns what ``_batch_process`` did, or
        the empty claim when nothing was due.
        """
        claimed = self._batch_claim(batch_size, **params)
        done, finished, left = self._batch_process_safely(claimed, **params)
        # rows left for a later run are still due: they are not work this
        # run can do, and counting them would call the job again in a loop
        self.env["ir.cron"]._notify_progress(
            done=finished,
            remaining=max(self._batch_remaining(**params) - left, 0),
        )
        return done

    @api.model
    def _batch_claim(self, limit, **params):
        """Lock and return up to ``limit`` rows to process (recordset or list)."""
        raise NotImplementedError()

    @api.model
    def _batch_process(self, batch, **params):
        """Do the job's work on ``batch`` (never empty); return what was done."""
        raise NotImplementedError()

    @api.model
    def _batch_remaining(self, **params):
        """How many rows the next calls would claim."""
        raise NotImplementedError()

    @api.model
    def _batch_failed(self, item, error):
        """Keep the reason ``item`` failed where the job has a field for it.

        Return True when the item is finished with (not due any more), False
        when it stays due and is left for a later run, the default.
        """
        return False

    @api.model
    def _batch_describe(self, item):
        """``item`` as the log names it."""
        return item.display_name if isinstance(item, models.BaseModel) else repr(item)

    # ------------------------------------------------------------------
    # failure isolation
    # ------------------------------------------------------------------

    @api.model
    def _batch_process_safely(self, claimed, **params):
        """Process ``claimed`` under ``_batch_isolation``.

        Returns (what was done, how many items are finished with, how many
        failed and are left for later). A failing item is rolled back to its
        savepoint and logged with its reason; the others go on.
        """
        if not claimed:
            return claimed, 0, 0
        if self._batch_isolation == "none":
            done = self._batch_process(claimed, **params)
            return done, len(done), 0
        if self._batch_isolation == "batch":
            try:
                with self.env.cr.savepoint():
                    done = self._batch_process(claimed, **params)
                return done, len(done), 0
            except Exception:
                _logger.warning(
                    "Batch job of %s: a batch of %s failed, retrying one by one",
                    self._name,
                    len(claimed),
                    exc_info=True,
                )
        results, finished, left = [], 0, 0
        for index in range(len(claimed)):
            item = claimed[index : index + 1]
            try:
                with self.env.cr.savepoint():
                    results.append(self._batch_process(item, **params))
                finished += len(results[-1])
            except Exception as error:
                # the reason on the line itself, where the log's readers grep
                reason = str(error)
                _logger.exception(
                    "Batch job of %s: %s failed: %s",
                    self._name,
                    self._batch_describe(item),
                    reason,
                )
                if self._batch_failed(item, error):
                    finished += 1
                else:
                    left += 1
        done = claimed[:0]
        for result in results:
            done = result if not done else done + result
        return done, finished, left

    @api.model
    def _batch_create_safely(
        self, vals_list, errors=(Exception,), model=None, describe=None
    ):
        """Create ``vals_list`` in ``model`` (this one by default) in one batch,
        else one by one.

        A record failing with one of ``errors`` is rolled back to its
        savepoint and logged with ``describe(vals)`` and the reason, as a
        warning: often another worker has just created it. The others are
        created. Returns the records created.
        """
        model = self if model is None else model
        if not vals_list:
            return model.browse()
        try:
            with self.env.cr.savepoint():
                return model.create(vals_list)
        except errors:
            _logger.warning(
                "Creating %s %s records at once failed, retrying one by one",
                len(vals_list),
                model._name,
                exc_info=True,
            )
        created = model.browse()
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    created |= model.create(vals)
            except errors as error:
                _logger.warning(
                    "Creating a %s record for %s failed: %s",
                    model._name,
                    describe(vals) if describe else vals,
                    error,
                    exc_info=True,
                )
        return created

    # ------------------------------------------------------------------
    # claiming
    # ------------------------------------------------------------------

    @api.model
    def _batch_flush(self):
        """Flush what the job's SQL reads (``_batch_flush_fields``)."""
        for model_name, field_names in self._batch_flush_fields.items():
            self.env[model_name].flush_model(field_names)

    @api.model
    def _batch_lock_sql(self, query, limit, order=None, of=None):
        """``query`` limited to ``limit`` rows locked FOR UPDATE SKIP LOCKED.

        ``of`` names the alias whose rows are locked (all by default).
        """
        return SQL(
            "%s %s LIMIT %s FOR UPDATE %s SKIP LOCKED",
            query,
            SQL("ORDER BY %s", order) if order else SQL(),
            limit,
            SQL("OF %s", SQL.identifier(of)) if of else SQL(),
        )

    @api.model
    def _batch_fetch(self, query):
        """The rows of ``query``, run after ``_batch_flush``."""
        self._batch_flush()
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _batch_count(self, query):
        """How many rows ``query`` selects, after ``_batch_flush``."""
        return self._batch_fetch(SQL("SELECT count(*) FROM (%s) due", query))[0][0]
