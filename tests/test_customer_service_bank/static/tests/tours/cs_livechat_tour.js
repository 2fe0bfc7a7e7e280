/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * An operator turns a live chat into a complaint in one click, from the
 * chat's header, and completes it. The chat comes from test_livechat.py.
 */
registry.category("web_tour.tours").add("cs_livechat_complaint_tour", {
    steps: () => [
        {
            content: "The customer's words are in the chat",
            trigger: ".o-mail-Message:contains(charged twice for the hotel)",
        },
        {
            content: "Register the chat as a complaint",
            trigger: "button[title='Register as Complaint']",
            run: "click",
        },
        {
            content: "The complaint is of the customer of the chat",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Tour Chat Customer)",
        },
        {
            content: "It is registered under its reference",
            trigger: ".o_breadcrumb .active:contains(CMP/)",
        },
        {
            content: "Give it a clearer subject",
            trigger: ".o_form_view .o_field_widget[name=subject] input",
            run: "edit Tour: card charged twice",
        },
        ...stepUtils.saveForm(),
        {
            content: "Saved",
            trigger: ".o_form_saved .o_field_widget[name=subject] input:value(Tour: card charged twice)",
        },
    ],
});
