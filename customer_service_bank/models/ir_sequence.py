from odoo import api, models, tools
from odoo.tools import SQL


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("code") == "cs.complaint" for vals in vals_list):
            self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if {"code", "company_id", "active"} & set(vals) and (
            vals.get("code") == "cs.complaint"
            or any(sequence.code == "cs.complaint" for sequence in self)
        ):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        if any(sequence.code == "cs.complaint" for sequence in self):
            self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache("tuple(company_ids)")
    def _cs_complaint_sequence_ids(self, company_ids):
        """The complaint sequences of these companies and the shared ones,
        by company then id. Cached: every new complaint needs them."""
        return (
            self.sudo()
            .search(
                [
                    ("code", "=", "cs.complaint"),
                    ("company_id", "in", [*company_ids, False]),
                ],
                order="company_id, id",
            )
            .ids
        )

    def _cs_next_references(self, count):
        """The next ``count`` references of this sequence, in one query.

        A standard sequence without date ranges takes its numbers from the
        PostgreSQL sequence that ``ir.sequence`` keeps for it (named by its
        id, as ``_next_do`` names it), all at once with ``generate_series``;
        any other kind gives them one by one, through the standard ``_next``.
        """
        self.ensure_one()
        if self.implementation != "standard" or self.use_date_range:
            return [self._next() for _index in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{self.id:03d}",
                count,
            )
        )
        return [self.get_next_char(number) for (number,) in self.env.cr.fetchall()]
