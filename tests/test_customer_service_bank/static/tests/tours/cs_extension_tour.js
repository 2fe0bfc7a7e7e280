/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A supervisor approves the pending extension of a complaint.
 * The complaint and its request come from test_ui.py.
 */
registry.category("web_tour.tours").add("cs_extension_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Customer Service app",
            trigger: ".o_app[data-menu-xmlid='customer_service_bank.cs_menu_root']",
            run: "click",
        },
        {
            content: "Open the complaint",
            trigger: ".o_kanban_record:contains(Tour: statement never arrived)",
            run: "click",
        },
        {
            content: "The complaint form is loaded",
            trigger: ".o_form_saved .o_field_widget[name=subject] input:value(statement never arrived)",
        },
        {
            content: "The deadline is the policy's 15 days",
            trigger: ".o_field_widget[name=resolve_deadline]:contains(11/17/2026)",
        },
        {
            content: "Open the Extensions tab",
            trigger: ".o_notebook a.nav-link[name=extensions]",
            run: "click",
        },
        {
            content: "The request waits for approval",
            trigger: ".o_field_widget[name=extension_ids] .o_data_row:contains(Complex case):contains(Requested)",
        },
        {
            content: "Approve it",
            trigger: ".o_field_widget[name=extension_ids] .o_data_row button[name=action_approve]",
            run: "click",
        },
        {
            content: "The request is approved",
            trigger: ".o_field_widget[name=extension_ids] .o_data_row:contains(Complex case):contains(Approved)",
        },
        {
            content: "The deadline moved by 15 days",
            trigger: ".o_field_widget[name=resolve_deadline]:contains(12/02/2026)",
        },
        {
            content: "Nothing is left to decide",
            trigger: ".o_field_widget[name=extension_ids]:not(:has(button[name=action_approve]))",
        },
    ],
});
