from lxml import etree

from odoo import models


class QwebBatchCache:
    """Compiled raw templates, for the time of one batch of renderings.

    Hashable by identity, as every value of an environment's context must be.
    """

    def __init__(self):
        self.compiled = {}


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        """Compile a raw template once for a whole batch.

        ``mail.render.mixin`` renders the body of a mail template from a
        freshly parsed fragment, which ``ir.qweb`` cannot cache: it compiles
        it again for every record, two fifths of the acknowledgement job's
        time. A caller rendering a batch passes a ``QwebBatchCache`` in the
        context as ``cs_qweb_batch_cache``; the compiled code is kept for the
        same source in the same context (language and rendering options).
        """
        cache = self.env.context.get("cs_qweb_batch_cache")
        if not isinstance(cache, QwebBatchCache) or not isinstance(
            template, etree._Element
        ):
            return super()._compile(template)
        options = sorted(
            (key, repr(value))
            for key, value in self.env.context.items()
            if key != "cs_qweb_batch_cache"
        )
        key = (etree.tostring(template), tuple(options))
        if key not in cache.compiled:
            cache.compiled[key] = super()._compile(template)
        return cache.compiled[key]
