import os

from odoo import http
from odoo.http import request

from odoo.addons.mail.controllers.attachment import AttachmentController


class CsAttachmentController(AttachmentController):
    """The portal's limits on a customer's files, in the chatter's uploads too."""

    @http.route()
    def mail_attachment_upload(
        self, ufile, thread_id, thread_model, is_pending=False, **kwargs
    ):
        if thread_model == "cs.complaint" and request.env.user.share:
            ufile.seek(0, os.SEEK_END)
            size = ufile.tell()
            ufile.seek(0)
            complaint = (
                request.env["cs.complaint"].sudo().browse(int(thread_id)).exists()
                if str(thread_id).isdigit()
                else None
            )
            company = complaint.company_id if complaint else request.env.company
            refusal = company._cs_portal_upload_refusal(ufile.filename, size)
            if refusal:
                return request.make_json_response({"error": refusal})
        return super().mail_attachment_upload(
            ufile, thread_id, thread_model, is_pending=is_pending, **kwargs
        )
