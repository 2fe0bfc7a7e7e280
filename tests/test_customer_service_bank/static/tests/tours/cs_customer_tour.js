/** @odoo-module **/

import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * A supervisor opens a customer's 360 view, recomputes its metrics and
 * overrides its tier with a reason. The customer comes from test_ui.py.
 */
registry.category("web_tour.tours").add("cs_customer_tour", {
    steps: () => [
        {
            content: "Open the Customer 360 tab",
            trigger: ".o_notebook .nav-link:contains(Customer 360)",
            run: "click",
        },
        {
            content: "No metrics yet",
            trigger: ".o_field_widget[name=cs_segment_id]:not(:has(a))",
        },
        {
            content: "Recompute the metrics now",
            trigger: "button[name=action_cs_recompute_metrics]",
            run: "click",
        },
        {
            content: "The tier follows the assets held",
            trigger: ".o_field_widget[name=cs_segment_id]:contains(Tour Gold)",
        },
        {
            content: "The assets are shown to the supervisor",
            trigger: ".o_field_widget[name=cs_aum]:contains(2,000.00)",
        },
        {
            content: "The holdings are listed",
            trigger: ".o_notebook .nav-link:contains(Holdings)",
            run: "click",
        },
        {
            content: "One holding",
            trigger: ".o_field_widget[name=cs_holding_ids] .o_data_row:contains(Tour Savings)",
        },
        {
            content: "Override the tier",
            trigger: ".o_field_widget[name=cs_segment_override_id] input",
            run: "edit Tour Plat",
        },
        {
            content: "Pick the tier",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Platinum)",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".o_field_widget[name=cs_segment_override_reason] input",
            run: "edit Spouse of a private banking client",
        },
        ...stepUtils.saveForm(),
        {
            content: "The tier is the override",
            trigger: ".o_field_widget[name=cs_segment_id]:contains(Tour Platinum)",
        },
    ],
});
