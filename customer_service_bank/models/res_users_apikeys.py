from odoo import api, models
from odoo.tools import SQL

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    @api.model
    def _cs_install_demo_key(self, login, name, key):
        """Give the user ``login`` the API key ``key``, stored hashed as
        ``_generate`` does, once: the demo database's integration user gets
        a key the README can show. Real keys are generated in the
        user's preferences and shown once."""
        user = self.env["res.users"].sudo().search([("login", "=", login)])
        if not user or self.sudo().search_count(
            [("user_id", "=", user.id), ("name", "=", name)]
        ):
            return
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (name, user_id, key, index) VALUES (%s, %s, %s, %s)",
                SQL.identifier(self._table),
                name,
                user.id,
                KEY_CRYPT_CONTEXT.hash(key),
                key[:INDEX_SIZE],
            )
        )
