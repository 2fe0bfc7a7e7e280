from odoo import api, models


class CsCachedSourceMixin(models.AbstractModel):
    """Records that a cache of this addon is computed from (the new stage,
    the policies, each calendar's working days).

    Creating or deleting them, or writing one of ``_cache_source_fields``
    (any field when None), clears the registry's caches.
    """

    _name = "cs.cached.source.mixin"
    _description = "Source of a Cache"
    _cache_source_fields = None

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if self._cache_source_fields is None or self._cache_source_fields & set(vals):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()
