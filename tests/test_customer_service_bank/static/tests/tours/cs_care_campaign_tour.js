/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A supervisor plans a care campaign for a tier, sees how many customers it
 * targets, previews them and approves the campaign.
 * Data (tier, customers) comes from test_ui.py.
 */
registry.category("web_tour.tours").add("cs_care_campaign_tour", {
    url: "/odoo/action-customer_service_bank.cs_care_campaign_action",
    steps: () => [
        {
            content: "Create a campaign",
            trigger: ".o_list_view .o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Tour Tea Party",
        },
        {
            content: "An appreciation event",
            trigger: ".o_field_widget[name=kind] select",
            run: "selectByLabel Appreciation Event",
        },
        {
            content: "Set its day",
            trigger: ".o_field_widget[name=date] input",
            run: "edit 03/01/2027 && press Enter",
        },
        {
            content: "Search the team",
            trigger: ".o_field_widget[name=team_id] input",
            run: "edit Team A",
        },
        {
            content: "Pick the team",
            trigger: ".o-autocomplete--dropdown-item a:contains(Team A)",
            run: "click",
        },
        {
            content: "Search the tier",
            trigger: ".o_field_widget[name=tier_ids] input",
            run: "edit Tour Care Tier",
        },
        {
            content: "Pick the tier",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Care Tier)",
            run: "click",
        },
        {
            content: "The live count shows the tier's customers",
            trigger: ".o_notebook .o_field_widget[name=target_count]:contains(2)",
        },
        {
            content: "Open the channel tab",
            trigger: ".o_notebook .nav-link:contains(Channel)",
            run: "click",
        },
        {
            content: "A task for the relationship managers",
            trigger: ".o_field_widget[name=channel] select",
            run: "selectByLabel Task for the Relationship Manager",
        },
        ...stepUtils.saveForm(),
        {
            content: "Preview the customers targeted",
            trigger: ".o-form-buttonbox button[name=action_preview_targets]",
            run: "click",
        },
        {
            content: "The first customer is listed",
            trigger: ".o_data_row:contains(Tour Care Customer One)",
        },
        {
            content: "The second customer is listed, nobody else",
            trigger: ".o_list_view:has(.o_data_row:contains(Tour Care Customer Two)):not(:has(.o_data_row:nth-child(3)))",
        },
        {
            content: "Back to the campaign",
            trigger: ".o_breadcrumb a:contains(Tour Tea Party)",
            run: "click",
        },
        {
            content: "Approve it",
            trigger: ".o_form_view button[name=action_approve]",
            run: "click",
        },
        {
            content: "The campaign is approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Approved)",
        },
    ],
});

/**
 * The demo supervisor reads the results and the effect of the demo
 * appreciation dinner, then analyses its participants.
 */
registry.category("web_tour.tours").add("cs_care_results_tour", {
    url: "/odoo/action-customer_service_bank.cs_care_campaign_action",
    steps: () => [
        {
            content: "Open the dinner",
            trigger: ".o_data_row td:contains(Private Banking Appreciation Dinner)",
            run: "click",
        },
        {
            content: "Its participants are counted",
            trigger: ".o-form-buttonbox button[name=action_view_participants]:contains(6)",
        },
        {
            content: "Open the results",
            trigger: ".o_notebook .nav-link:contains(Results)",
            run: "click",
        },
        {
            content: "The results table shows the dinner's figures",
            trigger: ".o_cs_care_results tr:contains(Once)",
        },
        {
            content: "The effect table compares participants and others",
            trigger: ".o_cs_care_effect td:contains(Other Customers)",
        },
        {
            content: "Analyse the participants",
            trigger: "button[name=action_view_results]",
            run: "click",
        },
        {
            content: "The pivot shows the participants by status",
            trigger: ".o_pivot th:contains(Sent)",
        },
    ],
});
