from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.constants import CHANNELS, CONTACT_CHANNELS
from ..models.cs_complaint_portal import PREFERRED_TIMES

COMPLAINTS_PER_PAGE = 20


class CsComplaintPortal(CustomerPortal):
    """A customer's complaints in the portal, and the public complaints page."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cs_complaint_count" in counters:
            Complaint = request.env["cs.complaint"]
            values["cs_complaint_count"] = (
                Complaint.search_count([]) if Complaint.has_access("read") else 0
            )
        return values

    def _cs_complaint_domain(self, search):
        if not search:
            return []
        return ["|", ("name", "ilike", search), ("subject", "ilike", search)]

    @http.route(
        ["/my/complaints", "/my/complaints/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_complaints(self, page=1, search=None, **kw):
        Complaint = request.env["cs.complaint"]
        domain = self._cs_complaint_domain(search)
        count = Complaint.search_count(domain)
        pager = portal_pager(
            url="/my/complaints",
            url_args={"search": search} if search else {},
            total=count,
            page=page,
            step=COMPLAINTS_PER_PAGE,
        )
        complaints = Complaint.search(
            domain,
            order="received_date desc, id desc",
            limit=COMPLAINTS_PER_PAGE,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "complaints": complaints,
                "page_name": "cs_complaint",
                "pager": pager,
                "search": search or "",
                "default_url": "/my/complaints",
            }
        )
        return request.render("customer_service_bank.portal_my_complaints", values)

    @http.route(
        "/my/complaints/<int:complaint_id>", type="http", auth="public", website=True
    )
    def portal_my_complaint(self, complaint_id, access_token=None, **kw):
        try:
            complaint = self._document_check_access(
                "cs.complaint", complaint_id, access_token
            )
        except (AccessError, MissingError) as error:
            raise NotFound() from error
        public_messages = complaint.website_message_ids.filtered(
            lambda message: (
                not message.is_internal
                and message.subtype_id == request.env.ref("mail.mt_comment")
            )
        )
        attachments = public_messages.attachment_ids
        attachments.generate_access_token()
        values = self._get_page_view_values(
            complaint,
            access_token,
            {
                "complaint": complaint,
                "page_name": "cs_complaint",
                "attachments": attachments,
                "handler_name": complaint._portal_handler_name(),
                "created": kw.get("created"),
            },
            "my_complaints_history",
            False,
            **kw,
        )
        return request.render("customer_service_bank.portal_my_complaint", values)

    # ------------------------------------------------------------------
    # new complaints
    # ------------------------------------------------------------------

    def _cs_portal_categories(self):
        return (
            request.env["cs.complaint.category"]
            .sudo()
            .search(
                [
                    ("portal_visible", "=", True),
                    ("company_id", "in", [request.env.company.id, False]),
                ]
            )
        )

    def _cs_new_complaint_values(self, form, errors):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "cs_complaint_new",
                "categories": self._cs_portal_categories(),
                "contact_channels": CONTACT_CHANNELS,
                "contact_times": PREFERRED_TIMES,
                "company": request.env.company,
                "form": form,
                "errors": errors,
            }
        )
        return values

    def _cs_check_uploads(self, uploads):
        """The uploaded files as (name, content), or the errors they raise."""
        company = request.env.company
        files, errors = [], []
        for upload in uploads:
            if not upload.filename:
                continue
            content = upload.read()
            refusal = company._cs_portal_upload_refusal(upload.filename, len(content))
            if refusal:
                errors.append(refusal)
            else:
                files.append((upload.filename, content))
        return files, errors

    @http.route(
        "/my/complaints/new",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_new_complaint(self, **form):
        if request.httprequest.method == "GET":
            return request.render(
                "customer_service_bank.portal_new_complaint",
                self._cs_new_complaint_values({}, []),
            )
        errors = []
        subject = (form.get("subject") or "").strip()
        description = (form.get("description") or "").strip()
        if not subject:
            errors.append(request.env._("Tell us in a few words what went wrong."))
        if not description:
            errors.append(request.env._("Describe what happened."))
        category = self._cs_portal_categories().filtered(
            lambda cat: str(cat.id) == form.get("category_id")
        )
        if not category:
            errors.append(request.env._("Choose what your complaint is about."))
        channel = form.get("preferred_contact_channel") or False
        time = form.get("preferred_contact_time") or False
        if channel not in dict(CONTACT_CHANNELS) or time not in dict(PREFERRED_TIMES):
            errors.append(request.env._("Choose how and when we may contact you."))
        files, file_errors = self._cs_check_uploads(
            request.httprequest.files.getlist("attachments")
        )
        errors += file_errors
        if errors:
            return request.render(
                "customer_service_bank.portal_new_complaint",
                self._cs_new_complaint_values(form, errors),
            )
        partner = request.env.user.partner_id
        try:
            complaint = (
                request.env["cs.complaint"]
                .sudo()
                .create(
                    {
                        "subject": subject,
                        "description": plaintext2html(description),
                        "partner_id": partner.id,
                        "company_id": request.env.company.id,
                        "category_id": category.id,
                        "channel": "portal",
                        "preferred_contact_channel": channel,
                        "preferred_contact_time": time,
                    }
                )
            )
        except (UserError, ValidationError) as error:
            return request.render(
                "customer_service_bank.portal_new_complaint",
                self._cs_new_complaint_values(form, [str(error)]),
            )
        if files:
            complaint.message_post(
                body=request.env._("Documents sent with the complaint."),
                attachments=files,
                author_id=partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        return request.redirect(f"{complaint.access_url}?created=1")

    # ------------------------------------------------------------------
    # the public page
    # ------------------------------------------------------------------

    @http.route("/complaints", type="http", auth="public", website=True, sitemap=True)
    def cs_public_complaints(self, **kw):
        company = request.env.company
        policies = (
            request.env["cs.sla.policy"]
            .sudo()
            .search([("company_id", "=", company.id)])
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "company": company.sudo(),
                # a referral from the regulator is no channel for customers
                "channels": [c for c in CHANNELS if c[0] != "regulator"],
                "policies": policies,
                "no_breadcrumbs": True,
            }
        )
        return request.render("customer_service_bank.cs_public_complaints", values)
