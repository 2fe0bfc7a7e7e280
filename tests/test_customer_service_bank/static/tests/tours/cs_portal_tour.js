/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * A portal customer raises a complaint from the portal, writes to the bank
 * on it, and rates a resolved one. The customer and the resolved complaint
 * come from test_portal.py.
 */
registry.category("web_tour.tours").add("cs_portal_tour", {
    steps: () => [
        {
            content: "Open the complaints from the portal home",
            trigger: ".o_portal_index_card a[href='/my/complaints']",
            run: "click",
        },
        {
            content: "Raise a new complaint",
            trigger: "a.o_cs_new_complaint",
            run: "click",
        },
        {
            content: "Choose the category",
            trigger: "select[name=category_id]",
            run: "selectByLabel Cards / Fees",
        },
        {
            content: "Say what went wrong",
            trigger: "input[name=subject]",
            run: "edit Tour: charged for a card I never ordered",
        },
        {
            content: "Describe it",
            trigger: "textarea[name=description]",
            run: "edit A card fee was debited for a card I never asked for.",
        },
        {
            content: "Prefer a phone call",
            trigger: "select[name=preferred_contact_channel]",
            run: "select phone",
        },
        {
            content: "Send the complaint",
            trigger: "button.o_cs_submit_complaint",
            run: "click",
        },
        {
            content: "The reference and the deadline are shown",
            trigger: ".o_cs_complaint_created:contains(CMP/):contains(final response by)",
        },
        {
            content: "Write to the bank",
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit I attach my statement showing the fee.",
        },
        {
            content: "Send the message",
            trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The message is in the conversation",
            trigger:
                "#chatterRoot:shadow .o-mail-Message-body:contains(I attach my statement)",
        },
        {
            content: "Back to the list of complaints",
            trigger: ".breadcrumb a[href='/my/complaints']",
            run: "click",
        },
        {
            content: "Open the answered complaint",
            trigger: "tr.o_cs_portal_complaint_row:contains(Answered) a",
            run: "click",
        },
        {
            content: "The final response is shown",
            trigger: ".o_cs_complaint_final_response",
        },
        {
            content: "Rate it as satisfied",
            trigger: "a.o_cs_rate_5",
            run: "click",
        },
        {
            content: "The rating is recorded",
            trigger: ".o_rating_page_submit",
        },
    ],
});
