/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * An agent registers a complaint, works on it and resolves it.
 * Data (customer, category) comes from test_ui.py.
 */
registry.category("web_tour.tours").add("cs_complaint_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Customer Service app",
            trigger: ".o_app[data-menu-xmlid='customer_service_bank.cs_menu_root']",
            run: "click",
        },
        {
            content: "Create a complaint",
            trigger: ".o_kanban_view .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Set the subject",
            trigger: ".o_form_view .o_field_widget[name=subject] input",
            run: "edit Tour: card blocked abroad",
        },
        {
            content: "Search the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Customer",
        },
        {
            content: "Pick the customer",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Customer Ltd)",
            run: "click",
        },
        {
            content: "The customer's email is shown",
            trigger: ".o_field_widget[name=partner_email]:contains(tour.customer@example.com)",
        },
        {
            content: "Search the category",
            trigger: ".o_field_widget[name=category_id] input",
            run: "edit Tour Card Blocks",
        },
        {
            content: "Pick the category",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Card Blocks)",
            run: "click",
        },
        {
            content: "Set the channel",
            trigger: ".o_field_widget[name=channel] select",
            run: "selectByLabel Phone",
        },
        ...stepUtils.saveForm(),
        {
            content: "The complaint got its reference",
            trigger: ".o_breadcrumb .active:contains(CMP/)",
        },
        {
            content: "The reference is in the title",
            trigger: ".o_field_widget[name=name]:contains(CMP/)",
        },
        {
            content: "A new complaint is on track",
            trigger: ".o_field_widget[name=deadline_status] .badge:contains(On Track)",
        },
        {
            content: "Start working on it",
            trigger: ".o_statusbar_status button.o_arrow_button:contains(In Progress)",
            run: "click",
        },
        {
            content: "It is in progress",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(In Progress)",
        },
        {
            content: "Moving it acknowledged it",
            trigger: ".o_field_widget[name=acknowledged_date]:not(:empty)",
        },
        {
            content: "Open the Resolution tab",
            trigger: ".o_notebook a.nav-link[name=resolution]",
            run: "click",
        },
        {
            content: "Set the outcome",
            trigger: ".o_field_widget[name=outcome] select",
            run: "selectByLabel Partially Upheld",
        },
        {
            content: "Set the redress",
            trigger: ".o_field_widget[name=redress_amount] input",
            run: "edit 25",
        },
        {
            content: "Resolve it",
            trigger: ".o_statusbar_status button.o_arrow_button:contains(Resolved)",
            run: "click",
        },
        {
            content: "It is resolved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Resolved)",
        },
        {
            content: "The deadline was met",
            trigger: ".o_form_saved .o_field_widget[name=deadline_status] .badge:contains(Met)",
        },
    ],
});
