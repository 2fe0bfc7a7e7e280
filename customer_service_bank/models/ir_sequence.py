from odoo import models
from odoo.tools import SQL


class IrSequence(models.Model):
    _inherit = "ir.sequence"

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
